import Config
import Logging
import ObjectMail
import Server

/// SIGHUP and `objectmail reload`: reads the configuration again and applies what can change in a running
/// server, as `doveadm reload` does for Dovecot. New connections get the new protocols, authentication, TLS
/// and login policy; listeners are opened and closed to match; the quota rules and log settings change at
/// once; open sessions keep what they started with. Settings that need a restart are named in the log. A
/// configuration that does not load, or whose protocols cannot be built, changes nothing.
actor ServerReloader {
    private let path: String
    private let server: ObjectMailServer
    private let storage: MailStorage
    private let registries: SessionRegistries
    private let deliveries: LocalDeliveryAgent
    /// `verbose_proctitle`'s title; nil when the process has no argument memory to write it in.
    private let processTitle: ConnectionsProcessTitle?
    private let logger: Logger
    /// The settings in force.
    private var applied: Settings
    /// The reload running or queued last: the next one waits for it, so two quick SIGHUPs never interleave.
    private var last: Task<Void, Never>?

    init(
        path: String, applied: Settings, server: ObjectMailServer, storage: MailStorage, registries: SessionRegistries,
        deliveries: LocalDeliveryAgent, processTitle: ConnectionsProcessTitle?, logger: Logger
    ) {
        self.path = path
        self.processTitle = processTitle
        self.applied = applied
        self.server = server
        self.storage = storage
        self.registries = registries
        self.deliveries = deliveries
        self.logger = logger
    }

    func reload() async {
        let previous = last
        let next = Task {
            await previous?.value
            await self.apply()
        }
        last = next
        await next.value
    }

    private func apply() async {
        let settings: Settings
        let composition: ServerComposition
        do {
            settings = try Registry.shared.load(file: path)
            composition = try ServerComposition.make(settings: settings, storage: storage, registries: registries, logger: logger)
            try LoggingBootstrap.reload(with: settings)
        } catch {
            return logger.error("SIGHUP: configuration not reloaded, the running one stays: \(error)")
        }
        let changes = SettingChanges(from: applied, to: settings)
        applied = settings
        server.replace(services: composition.services, security: composition.security)
        deliveries.replace(with: composition.lda)
        await storage.reload(quota: composition.quota)
        storage.locateUsers(with: composition.userLocator)
        processTitle?.setEnabled(settings.bool("verbose_proctitle"))
        let listeners = await server.reconcile(composition.listeners)
        for spec in listeners.opened { logger.notice("SIGHUP: listening: \(spec)") }
        for spec in listeners.closed { logger.notice("SIGHUP: stopped listening: \(spec)") }
        for failure in listeners.failed { logger.error("SIGHUP: cannot listen: \(failure)") }
        let restart = changes.needingRestart
        if !restart.isEmpty {
            logger.warning("SIGHUP: restart to apply: \(restart.joined(separator: ", "))")
        }
        logger.notice("SIGHUP: configuration reloaded (\(changes.paths.count) changed setting(s)); new connections use it")
    }
}
