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
        // First, while no other thread reads the environment (see `ProcessTitle.prepare`); used by verbose_proctitle,
        // which a reload may turn on.
        let processTitle = ProcessTitle.prepare()
        ShutdownSignal.install()
        MallocTuning.apply()
        let metricsExporter = ProcessMetrics.bootstrap()
        let settings = try options.load()
        try LoggingBootstrap.start(with: settings)
        let logger = Logger(label: "objectmail")
        logger.info("ObjectMail \(ObjectMailVersion.current) starting with \(options.path)")
        // Programs the server starts (quota-warning scripts) may run `objectmail lda` or another verb: through
        // OBJECTMAIL_CONFIG they read this server's configuration, and so find its admin socket. Set while this is
        // the only code running (no listener, no session yet), so no other thread reads the environment meanwhile.
        setenv("OBJECTMAIL_CONFIG", StoragePipelines.absolutePath(options.path), 1)

        // READY/RELOADING/STOPPING/WATCHDOG for systemd's `Type=notify` (conf/systemd/objectmail.service).
        let systemd = SystemdNotifier()
        var pipelines = StoragePipelines(logger: Logger(label: "objectmail.objectstore"))
        let server: ObjectMailServer
        let listeners: [ListenerSpec]
        let statsListeners: [ListenerSpec]
        let mailStorage: MailStorage
        let deliveries: LocalDeliveryAgent
        let privileges: PrivilegeDrop?
        do {
            privileges = try PrivilegeDrop.configured(in: settings)
            pipelines.keepFree = try StorageFactory.metacacheReserve(settings)
            try await checkStores(settings: settings, pipelines: pipelines, logger: logger)
            let storage = try StorageFactory.make(settings: settings, pipelines: pipelines, logger: Logger(label: "objectmail.storage"))
            mailStorage = storage
            for warning in MailPlugins.sharedStorageWarnings(settings, protocols: ServerSettings.implementedProtocols) {
                logger.warning("\(warning)")
            }
            let registries = SessionRegistries()
            let composition = try ServerComposition.make(settings: settings, storage: storage, registries: registries, logger: logger)
            listeners = composition.listeners
            deliveries = LocalDeliveryAgent(composition.lda)
            storage.locateUsers(with: composition.userLocator)
            statsListeners = try ListenerSpec.statsListeners(from: settings)
            try PrivilegeDrop.refuseRoot(privileges, settings: settings)
            server = ObjectMailServer(
                services: composition.services, logger: Logger(label: "objectmail"), security: composition.security,
                holdingConnections: privileges != nil)
            let title = processTitle.map { ConnectionsProcessTitle(title: $0, server: server, enabled: settings.bool("verbose_proctitle")) }
            let reloader = ServerReloader(
                path: options.path, applied: settings, server: server, storage: storage,
                registries: registries, deliveries: deliveries, processTitle: title, logger: logger)
            installSignalHandlers(reloader: reloader, systemd: systemd, logger: logger)
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
        // `objectmail metacache …` talks to this server here (Dovecot's doveadm socket in base_dir). Opened before the
        // ports, so a client that found a port open finds this socket too.
        var admin: AdminServer?
        do {
            admin = try await AdminServer.start(path: AdminSettings.socketPath(settings), storage: mailStorage, deliveries: deliveries, logger: logger)
        } catch {
            logger.error("admin socket: \(error) (objectmail metacache cannot reach this server)")
        }
        do {
            try await server.start(listeners)
        } catch {
            logger.critical("cannot listen: \(error)")
            await admin?.stop()
            await server.shutdown(grace: .zero)
            throw ExitCode(1)
        }
        let metrics: MetricsHTTPServer
        do {
            metrics = try await MetricsHTTPServer.start(statsListeners, exporter: metricsExporter)
        } catch {
            logger.critical("cannot listen: \(error)")
            await admin?.stop()
            await server.shutdown(grace: .zero)
            throw ExitCode(1)
        }
        do {
            try pidFile.write()
        } catch {
            logger.error("cannot write \(pidFile.path): \(error) (objectmail stop/reload cannot find this server)")
        }
        for listener in listeners { logger.notice("listening: \(listener)") }
        for path in ListenerSpec.unopenedAuthMasterListeners(in: settings) {
            logger.notice(
                "service auth: unix_listener \(path) is not opened: it serves dovecot-lda's and login processes' userdb lookups, and here mail arrives over LMTP and logins are served in-process"
            )
        }
        for listener in statsListeners { logger.notice("listening: \(listener) (GET /metrics)") }
        // The doveadm HTTP API, when `service doveadm { inet_listener http }` has a port.
        var doveadmAPI: DoveadmHTTPServer?
        do {
            doveadmAPI = try await DoveadmHTTPAPI.start(settings: settings, storage: mailStorage, logger: logger)
        } catch {
            logger.error("doveadm HTTP API: \(error)")
        }

        if let privileges {
            privileges.handOver(AdminSettings.rootOwnedPaths(settings) + LoggingBootstrap.filePaths(settings))
            do {
                try privileges.apply()
            } catch {
                logger.critical("cannot run as mail_uid: \(error)")
                await admin?.stop()
                await server.shutdown(grace: .zero)
                throw ExitCode(1)
            }
            logger.notice("running as \(privileges.described)")
        }
        server.beginAccepting()
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
        await admin?.stop()
        await doveadmAPI?.stop()
        // A clean shutdown uploads every index change and clears the users' dirty markers, so the
        // next start trusts the local indexes and the next backend loads without a rescan.
        await mailStorage.shutdown()
        pidFile.remove()
        logger.notice("stopped")
    }

    /// SIGUSR1 reopens the log files. SIGHUP reloads the configuration (`ServerReloader`), one reload at a time,
    /// with systemd told RELOADING=1 and READY=1 around it.
    private func installSignalHandlers(reloader: ServerReloader, systemd: SystemdNotifier, logger: Logger) {
        ProcessSignals.install(SIGUSR1) {
            for error in LoggingBootstrap.reopen() { logger.error("SIGUSR1: \(error)") }
            logger.info("SIGUSR1: log files reopened")
        }
        ProcessSignals.install(SIGHUP) {
            Task {
                systemd.reloading()
                await reloader.reload()
                systemd.reloaded()
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
