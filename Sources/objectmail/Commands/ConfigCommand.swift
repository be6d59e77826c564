import ArgumentParser
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Print the configuration.")
    func run() async throws {}
}
