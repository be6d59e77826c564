@main
struct MIMEBench {
    static func main() {}
}
