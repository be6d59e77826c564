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

    func logIn(user name: String, password: String, connection: ConnectionContext, mechanism: String,
               logger: Logger) async -> Outcome {
        let remoteIP = connection.remoteAddress?.ipAddress, localIP = connection.localAddress?.ipAddress
        let secured = remoteIP == nil || remoteIP == "127.0.0.1" || remoteIP == "::1"
        let result = await authenticator.authenticate(user: name, password: password, service: service, remoteIP: remoteIP,
                                                      localIP: localIP, secured: secured)
        switch result {
        case .success(let success):
            let key = "\(success.user)\u{0}\(remoteIP ?? "local")"
            guard userIPConnections.acquire(key) else { return .tooManyConnections(limit: userIPConnections.limit) }
            do {
                let mail = try await storage.user(success.user)
                var logger = logger
                logger[metadataKey: "user"] = "\(success.user)"
                logger.info("Login: user=<\(success.user)>, method=\(mechanism), rip=\(remoteIP ?? "local")")
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
