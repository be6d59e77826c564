import ArgumentParser
import Config
import Foundation
import Logging
import ObjectStore

/// `objectmail serve`: start the server with the given configuration.
/// Until the protocol listeners land it validates the configuration, builds the storage pipelines,
/// checks that the store answers, says what it will serve, and exits.
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
        logger.info("ObjectMail \(ObjectMailVersion.current) starting with \(options.path)")

        let plugin = settings.singleSection("plugin")
        let pipelines = StoragePipelines(logger: Logger(label: "objectmail.objectstore"))
        // Start-up has no user: templates that need one (%u, %4Nu …) are checked with a placeholder.
        let variables = VariableExpander.forUser("objectmail-startup-check")
        for name in ["obox_fs", "obox_index_fs"] {
            let template = plugin.string(name)
            let shown = plugin.definition.setting(name)?.displayValue(template, showSecrets: false) ?? ""
            do {
                let store = try pipelines.store(name, template: template, variables: variables)
                try await pipelines.check(store)
                logger.info("\(name): \(shown): store answers")
            } catch let error as ConfigError {
                logger.critical("\(error.description)")
                throw ExitCode(2)
            } catch let error as ObjectStoreError {
                logger.critical("\(name): \(shown): the store does not answer: \(error)")
                throw ExitCode(1)
            }
        }
        logger.notice("No protocol listeners are implemented in this build yet: nothing to serve")
    }
}
