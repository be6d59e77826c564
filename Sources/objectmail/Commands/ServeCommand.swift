import ArgumentParser
import Auth
import Config
import Foundation
import Logging
import ObjectMail
import ObjectStore
import Server

/// `objectmail serve`: start the server with the given configuration and serve until SIGTERM or
/// SIGINT. It checks that the stores answer, opens every configured listener, and says which.
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

        // READY/RELOADING/STOPPING/WATCHDOG for systemd's `Type=notify` (conf/systemd/objectmail.service).
        let systemd = SystemdNotifier()
        var pipelines = StoragePipelines(logger: Logger(label: "objectmail.objectstore"))
        let server: ObjectMailServer
        let listeners: [ListenerSpec]
        let statsListeners: [ListenerSpec]
        var mailStorage: MailStorage?
        do {
            pipelines.keepFree = try StorageFactory.metacacheReserve(settings)
            try await checkStores(settings: settings, pipelines: pipelines, logger: logger)
            let storage = try StorageFactory.make(settings: settings, pipelines: pipelines, logger: Logger(label: "objectmail.storage"))
            mailStorage = storage
            let authenticator = try Authenticator(settings: settings)
            for warning in MailPlugins.sharedStorageWarnings(settings, protocols: ServerSettings.implementedProtocols) {
                logger.warning("\(warning)")
            }
            let lmtp = LMTPConfiguration(settings: settings.forProtocol("lmtp"))
            let delivery = StorageDelivery(authenticator: authenticator, storage: storage, configuration: lmtp,
                                           logger: Logger(label: "lmtp"))
            let pop3 = try POP3Configuration(settings: settings.forProtocol("pop3"))
            listeners = try ListenerSpec.all(from: settings)
            statsListeners = try ListenerSpec.statsListeners(from: settings)
            let security = try ConnectionSecurity(settings: TLSSettings(settings: settings), logger: logger)
            server = ObjectMailServer(services: [.lmtp(backend: delivery, configuration: lmtp),
                                                 .imap(authenticator: authenticator, storage: storage,
                                                       configuration: try IMAPConfiguration(settings: settings.forProtocol("imap"))),
                                                 .pop3(authenticator: authenticator, storage: storage, configuration: pop3)],
                                      logger: Logger(label: "objectmail"), security: security)
            installSignalHandlers(tls: security.tls, systemd: systemd, logger: logger)
        } catch let error as ConfigError {
            logger.critical("\(error.description)")
            throw ExitCode(2)
        } catch let error as TLSSetupError {
            logger.critical("\(error.description)")
            throw ExitCode(2)
        }
        // One server per base_dir, as Dovecot refuses a second master on one base_dir.
        let pidFile = PidFile(settings: settings)
        if let running = pidFile.runningServer(), running != ProcessInfo.processInfo.processIdentifier {
            logger.critical("ObjectMail is already running with PID \(running) (read from \(pidFile.path))")
            throw ExitCode(1)
        }
        do {
            try await server.start(listeners)
        } catch {
            logger.critical("cannot listen: \(error)")
            await server.shutdown(grace: .zero)
            throw ExitCode(1)
        }
        let metrics: MetricsHTTPServer
        do {
            metrics = try await MetricsHTTPServer.start(statsListeners)
        } catch {
            logger.critical("cannot listen: \(error)")
            await server.shutdown(grace: .zero)
            throw ExitCode(1)
        }
        do {
            try pidFile.write()
        } catch {
            logger.error("cannot write \(pidFile.path): \(error) (objectmail stop/reload cannot find this server)")
        }
        for listener in listeners { logger.notice("listening: \(listener)") }
        for listener in statsListeners { logger.notice("listening: \(listener) (GET /metrics)") }
        // `objectmail metacache …` talks to this server here (Dovecot's doveadm socket in base_dir).
        var admin: AdminServer?
        do {
            admin = try mailStorage.map { try AdminServer.start(path: AdminSettings.socketPath(settings), storage: $0, logger: logger) }
        } catch {
            logger.error("admin socket: \(error) (objectmail metacache cannot reach this server)")
        }
        // The doveadm HTTP API, when `service doveadm { inet_listener http }` has a port.
        var doveadmAPI: DoveadmHTTPServer?
        do {
            if let storage = mailStorage { doveadmAPI = try await DoveadmHTTPAPI.start(settings: settings, storage: storage, logger: logger) }
        } catch {
            logger.error("doveadm HTTP API: \(error)")
        }

        systemd.ready(status: "Serving \(listeners.count) listeners")
        let watchdog = systemd.watchdogInterval.map { interval in
            Task { [systemd] in
                while (try? await Task.sleep(for: interval)) != nil { systemd.watchdog() }
            }
        }
        let signal = await ShutdownSignal.wait()
        systemd.stopping()
        watchdog?.cancel()
        logger.notice("received signal \(signal): shutting down (sessions get 10 seconds to finish)")
        await server.shutdown(grace: .seconds(10))
        await metrics.stop()
        admin?.stop()
        await doveadmAPI?.stop()
        // A clean shutdown uploads every index change and clears the users' dirty markers, so the
        // next start trusts the local indexes and the next backend loads without a rescan.
        await mailStorage?.shutdown()
        pidFile.remove()
        logger.notice("stopped")
    }

    /// SIGUSR1 reopens the log files. SIGHUP re-reads the configuration (and so the `ssl_cert = </path` files) and
    /// swaps the TLS context: new connections get the new certificate, open sessions keep theirs. A bad new
    /// certificate keeps the old one.
    private func installSignalHandlers(tls: TLSContextProvider?, systemd: SystemdNotifier, logger: Logger) {
        ProcessSignals.install(SIGUSR1) {
            for error in LoggingBootstrap.reopen() { logger.error("SIGUSR1: \(error)") }
            logger.info("SIGUSR1: log files reopened")
        }
        let path = options.path
        ProcessSignals.install(SIGHUP) {
            systemd.reloading()
            defer { systemd.reloaded() }
            guard let tls else {
                return logger.notice("SIGHUP: TLS is off; nothing to reload without a restart")
            }
            do {
                let settings = try Registry.shared.load(file: path)
                guard let context = try TLSContextProvider.makeContext(TLSSettings(settings: settings), logger: logger) else {
                    return logger.warning("SIGHUP: TLS is now off in the configuration; restart to stop offering it")
                }
                tls.replace(with: context)
                logger.notice("SIGHUP: reloaded the TLS certificate; new connections use it")
            } catch {
                logger.error("SIGHUP: keeping the old TLS certificate: \(error)")
            }
        }
    }

    /// Asks each store for one key, so that a wrong endpoint, bucket or credential shows at start-up.
    /// Start-up has no user: templates that need one (%u, %4Nu …) are checked with a placeholder.
    private func checkStores(settings: Settings, pipelines: StoragePipelines, logger: Logger) async throws {
        let plugin = settings.singleSection("plugin")
        let variables = VariableExpander.forUser("objectmail-startup-check")
        for name in ["obox_fs", "obox_index_fs"] {
            let template = plugin.string(name)
            let shown = plugin.definition.setting(name)?.displayValue(template, showSecrets: false) ?? ""
            do {
                let store = try pipelines.store(name, template: template, variables: variables)
                try await pipelines.check(store)
                logger.info("\(name): \(shown): store answers")
            } catch let error as ObjectStoreError {
                logger.critical("\(name): \(shown): the store does not answer: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
