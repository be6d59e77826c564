import Auth
import Config
import Logging
import ObjectMail
import Server

/// What one configuration makes of the server besides its storage: the protocols with their settings and the
/// authenticator behind them, the TLS and login policy, the listeners, and the quota rules. Built once at start
/// and again by every reload, from the same code, so a reloaded server is the one a restart would give.
struct ServerComposition {
    var services: [ProtocolService]
    var security: ConnectionSecurity
    var listeners: [ListenerSpec]
    var quota: QuotaConfiguration?
    /// What `objectmail lda` delivers through (the admin socket): LMTP's save path with `protocol lda { }`'s settings.
    var lda: StorageDelivery
    /// The userdb lookup for users opened without a login or delivery (admin commands).
    var userLocator: MailStorage.UserLocator

    static func make(settings: Settings, storage: MailStorage, registries: SessionRegistries, logger: Logger) throws -> ServerComposition {
        let authenticator = try Authenticator(settings: settings)
        let lmtp = LMTPConfiguration(settings: settings.forProtocol("lmtp"))
        let delivery = StorageDelivery(
            authenticator: authenticator, storage: storage, configuration: lmtp,
            sieve: try SieveDeliveryConfiguration(settings: settings.forProtocol("lmtp")), logger: Logger(label: "lmtp"))
        let lda = StorageDelivery(
            authenticator: authenticator, storage: storage,
            configuration: LMTPConfiguration(settings: settings.forProtocol("lda")),
            sieve: try SieveDeliveryConfiguration(settings: settings.forProtocol("lda")), logger: Logger(label: "lda"))
        let imap = try IMAPConfiguration(settings: settings.forProtocol("imap"))
        let pop3 = try POP3Configuration(settings: settings.forProtocol("pop3"))
        let manageSieve = try ManageSieveConfiguration(settings: settings.forProtocol("sieve"))
        let listeners = try ListenerSpec.all(from: settings)
        let security = try ConnectionSecurity(settings: TLSSettings(settings: settings), logger: logger)
        if security.tls == nil, let implicit = listeners.first(where: \.ssl) {
            throw ConfigError("\(implicit): ssl = yes needs TLS: set ssl_cert and ssl_key (and not ssl = no)")
        }
        return ServerComposition(
            services: [
                .lmtp(backend: delivery, configuration: lmtp),
                .imap(authenticator: authenticator, storage: storage, configuration: imap, registries: registries),
                .pop3(authenticator: authenticator, storage: storage, configuration: pop3, registries: registries),
                .manageSieve(authenticator: authenticator, storage: storage, configuration: manageSieve, registries: registries),
                .authClient(authenticator: authenticator)
            ],
            security: security, listeners: listeners, quota: try StorageConfiguration(settings: settings).quota, lda: lda,
            userLocator: { name in try await authenticator.lookupUser(name, service: "doveadm").map { UserdbLocation(fields: $0.fields) } })
    }
}
