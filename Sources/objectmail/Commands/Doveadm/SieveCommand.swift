import ArgumentParser
import Foundation
import Server
import Sieve

/// `objectmail sieve put|activate|deactivate|list|get|delete`, as Pigeonhole's doveadm-sieve(1): a user's personal
/// scripts, which live in the bucket with the user's other state (see docs/sieve.md).
struct SieveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sieve",
        abstract: "Manage a user's personal Sieve scripts (like doveadm sieve).",
        subcommands: [Put.self, Activate.self, Deactivate.self, List.self, Get.self, Delete.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the script read from stdin under NAME (replacing one of that name); it must compile. Exit 65 when it does not.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("a"), help: "Make it the active script too.") var activate = false
        @Argument var name: String
        func run() async throws {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            // Checked here, with the extensions and limits LMTP runs personal scripts with, as doveadm sieve put does.
            let settings = try options.config.load()
            let sieve = (try? SieveDeliveryConfiguration(settings: settings.forProtocol("lmtp"))) ?? nil
            do {
                _ = try SieveCompiler.compile(
                    text, name: name, limits: sieve?.limits ?? .default,
                    extensions: sieve?.personalExtensions ?? SieveDeliveryConfiguration.defaultExtensions)
            } catch {
                FileHandle.standardError.write(Data("objectmail: Error: \(name): \(error.description)\n".utf8))
                FileHandle.standardError.write(Data("objectmail: Error: Failed to save Sieve script: Compilation failed\n".utf8))
                throw ExitCode(DoveadmExit.dataError)
            }
            try await DoveadmClient.run("sieve put", options, flags: activate ? ["a": ""] : [:], arguments: [name, text])
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make NAME the script run on delivery. Exit 68 when there is none.")
        @OptionGroup var options: DoveadmOptions
        @Argument var name: String
        func run() async throws { try await DoveadmClient.run("sieve activate", options, arguments: [name]) }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run no personal script on delivery.")
        @OptionGroup var options: DoveadmOptions
        func run() async throws { try await DoveadmClient.run("sieve deactivate", options, arguments: []) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The user's scripts, ACTIVE after the active one.")
        @OptionGroup var options: DoveadmOptions
        func run() async throws { try await DoveadmClient.run("sieve list", options, arguments: []) }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the script NAME. Exit 68 when there is none.")
        @OptionGroup var options: DoveadmOptions
        @Argument var name: String
        func run() async throws { try await DoveadmClient.run("sieve get", options, arguments: [name]) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete scripts. The active one only with -a.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("a"), help: "Delete the active script too (no script is active then).") var active = false
        @Argument var names: [String]
        func run() async throws {
            try await DoveadmClient.run("sieve delete", options, flags: active ? ["a": ""] : [:], arguments: names)
        }
    }
}
