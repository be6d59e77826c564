import ArgumentParser
import Config
import Foundation

/// `-c FILE`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customShort("c"), help: "The configuration file (default: $OBJECTMAIL_CONFIG, else conf/objectmail.conf).")
    var configFile: String?

    var path: String {
        configFile ?? ProcessInfo.processInfo.environment["OBJECTMAIL_CONFIG"] ?? "conf/objectmail.conf"
    }

    /// The validated settings; on error prints it as doveconf does and exits with status 2.
    func load() throws -> Settings {
        do {
            let settings = try Registry.shared.load(file: path)
            for warning in settings.warnings {
                FileHandle.standardError.write(Data("objectmail: Warning: \(warning)\n".utf8))
            }
            return settings
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("objectmail: Fatal: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
