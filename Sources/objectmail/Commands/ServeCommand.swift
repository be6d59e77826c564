import ArgumentParser
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the server.")
    func run() async throws {}
}
