import ArgumentParser
import Foundation

/// `objectmail who` and `objectmail kick`, as doveadm-who(1) and doveadm-kick(1): the running server's logged-in
/// IMAP and POP3 sessions. Without a running server there are none to show (exit 75, as doveadm without anvil).
struct WhoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "The logged-in users (by user mask and IP), grouped by user and protocol.")
    @OptionGroup var config: ConfigOptions
    @Option(name: .customShort("f"), help: "Output formatter: flow, tab, table, json or pager.") var formatter: String?
    @Flag(name: .customShort("1"), help: "One line a connection.") var each = false
    @Argument(help: "A user mask (* and ?) and/or an IP.") var filters: [String] = []

    func run() async throws {
        let response = try DoveadmClient.ask(
            DoveadmRequest(command: "who", user: "", options: each ? ["1": ""] : [:], arguments: filters),
            config: config)
        let chosen = formatter.flatMap(DoveadmPrinter.Formatter.init(rawValue:)) ?? .table
        print(DoveadmPrinter.render(response, chosen), terminator: "")
    }
}

struct KickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kick",
        abstract: "Disconnect the sessions of the users matching the mask (and/or from the IP). "
            + "Exit 68 when none.")
    @OptionGroup var config: ConfigOptions
    @Argument(help: "A user mask (* and ?) and/or an IP.") var filters: [String]

    func run() async throws {
        let response = try DoveadmClient.ask(DoveadmRequest(command: "kick", user: "", arguments: filters), config: config)
        response.errors.forEach { FileHandle.standardError.write(Data("objectmail: Error: \($0)\n".utf8)) }
        guard response.exitCode != 64 else { throw ExitCode(64) }
        if response.rows.isEmpty {
            print("no users kicked")
            throw ExitCode(DoveadmExit.notFound)
        }
        print("kicked connections from the following users:")
        print(response.rows.map { $0[0] + " " }.joined())
    }
}
