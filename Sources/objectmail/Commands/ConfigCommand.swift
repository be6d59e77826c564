import ArgumentParser
import Config
import Foundation

/// `objectmail config`, like doveconf: print the configuration as the server understands it.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration and print it (like doveconf).",
        discussion: "Exits with status 2 and the error, with file:line, when the configuration is invalid."
    )

    @OptionGroup var options: ConfigOptions

    @Flag(name: .customShort("n"), help: "Print only settings that differ from the defaults.")
    var nonDefault = false

    @Flag(name: .customShort("a"), help: "Print every setting, defaults included.")
    var all = false

    @Flag(name: .customShort("P"), help: "Show passwords and secret keys instead of hiding them.")
    var showSecrets = false

    @Argument(help: "Print only these settings.")
    var names: [String] = []

    func validate() throws {
        if nonDefault && all { throw ValidationError("-n and -a exclude each other") }
    }

    func run() async throws {
        let settings = try options.load()
        let printer = SettingsPrinter(showSecrets: showSecrets)
        if !names.isEmpty {
            do {
                print(try printer.render(settings, names: names), terminator: "")
            } catch let error as ConfigError {
                FileHandle.standardError.write(Data("objectmail: Fatal: \(error)\n".utf8))
                throw ExitCode(2)
            }
            return
        }
        print("# ObjectMail \(ObjectMailVersion.current): \(options.path)")
        print(printer.render(settings, mode: all ? .all : .nonDefault), terminator: "")
    }
}
