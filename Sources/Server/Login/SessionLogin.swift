import Auth
import Logging
import ObjectMail

/// A login shared by the mail-access protocols (IMAP, POP3): the password check through the
/// `Authenticator`, Dovecot's `mail_max_userip_connections`, and opening the user's mail.
struct SessionLogin: Sendable {
    enum Outcome: Sendable {
        case loggedIn(LoggedInUser)
        case failed
        case temporaryFailure
        /// The user already has `limit` sessions of this protocol from this IP.
        case tooManyConnections(limit: Int)
        /// Authenticated, but the mail store cannot be opened now.
        case storageUnavailable

        /// The `result` label of `objectmail_logins_total`.
        var metricsResult: String {
            switch self {
            case .loggedIn: return "success"
            case .failed: return "failure"
            case .temporaryFailure: return "tempfail"
            case .tooManyConnections: return "limit"
            case .storageUnavailable: return "storage"
            }
        }
    }

    struct LoggedInUser: Sendable {
        var name: String
        var mail: MailUser
        /// Give this back to `UserIPConnections.release` when the session ends.
        var userIPKey: String
    }

    let authenticator: Authenticator
    let storage: MailStorage
    let userIPConnections: UserIPConnections
    /// `imap` or `pop3`: passdb `%s`, and the log prefix.
    let service: String

    /// Checks the password with the client as `transport` sees it (a trusted proxy's forwarded address
    /// counts for penalties and the per-IP limit) and opens the user's mail.
    func logIn(
        user name: String, password: String, transport: SessionTransport, mechanism: String,
        logger: Logger
    ) async -> Outcome {
        let client = transport.client
        let remoteIP = client.ip
        let secured = transport.secured
        let result = await authenticator.authenticate(
            user: name, password: password, service: service, remoteIP: remoteIP,
            localIP: client.localIP, secured: secured)
        let outcome = await open(result, transport: transport, mechanism: mechanism, logger: logger)
        ServerMetrics.login(service: service, result: outcome.metricsResult)
        return outcome
    }

    private func open(_ result: AuthResult, transport: SessionTransport, mechanism: String, logger: Logger) async -> Outcome {
        let client = transport.client
        let remoteIP = client.ip
        let secured = transport.secured
        switch result {
        case .success(let success):
            let key = "\(success.user)\u{0}\(remoteIP ?? "local")"
            // Like any Dovecot setting, the limit may come from the userdb (userdb_mail_max_userip_connections=…).
            let limit = success.userdb.fields["mail_max_userip_connections"].flatMap { Int($0) } ?? userIPConnections.limit
            guard userIPConnections.acquire(key, limit: limit) else { return .tooManyConnections(limit: limit) }
            do {
                let mail = try await storage.user(success.user, userdb: UserdbLocation(fields: success.userdb.fields))
                await mail.applyUserdbFields(success.userdb.fields)
                var logger = logger
                logger[metadataKey: "user"] = "\(success.user)"
                let security = transport.tlsActive ? ", TLS" : secured ? ", secured" : ""
                logger.info("Login: user=<\(success.user)>, method=\(mechanism), \(client.logFields)\(security)")
                SessionDirectory.shared.loggedIn(id: logger[metadataKey: "session"].map { "\($0)" }, user: success.user, service: service, remoteIP: remoteIP)
                return .loggedIn(LoggedInUser(name: success.user, mail: mail, userIPKey: key))
            } catch {
                userIPConnections.release(key)
                logger.error("cannot open the mail of \(success.user): \(error)")
                return .storageUnavailable
            }
        case .failure:
            return .failed
        case .temporaryFailure:
            return .temporaryFailure
        }
    }
}
