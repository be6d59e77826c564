import ArgumentParser
import Config
import Foundation
import Logging

/// `objectmail serve`: start the server with the given configuration.
/// Until the protocol listeners land it validates the configuration, prepares the storage
/// pipelines and says what it will serve, then exits.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the server (embedded default: conf/objectmail.conf, data under ./var)."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try options.load()
        try LoggingBootstrap.start(with: settings)
        let logger = Logger(label: "objectmail")
        let plugin = settings.singleSection("plugin")
        logger.info("ObjectMail \(ObjectMailVersion.current) starting with \(options.path)")
        for name in ["obox_fs", "obox_index_fs"] {
            let definition = plugin.definition.setting(name)!
            logger.info("\(name): \(definition.displayValue(plugin.string(name), showSecrets: false))")
        }
        logger.notice("No protocol listeners are implemented in this build yet: nothing to serve")
    }
}
