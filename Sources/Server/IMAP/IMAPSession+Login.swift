import Foundation
import IMAPProtocol
import NIOCore

extension IMAPSession {
    func login(tag: String, user name: String, password: String, mechanism: String = "PLAIN") async {
        let login = SessionLogin(authenticator: authenticator, storage: storage, userIPConnections: userIPConnections, service: "imap")
        switch await login.logIn(user: name, password: password, connection: connection, mechanism: mechanism, logger: logger) {
        case .loggedIn(let success):
            userIPKey = success.userIPKey
            user = success.mail
            userName = success.name
            logger[metadataKey: "user"] = "\(success.name)"
            tagged(tag, .ok, code: .capability(Self.capabilities), "Logged in")
        case .tooManyConnections(let limit):
            encoder.writeUntagged(.bye, "Maximum number of connections from user+IP exceeded "
                                  + "(mail_max_userip_connections=\(limit))", into: &output)
            loggingOut = true
        case .storageUnavailable:
            tagged(tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
        case .failed:
            tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        case .temporaryFailure:
            tagged(tag, .no, code: .unavailable, "Temporary authentication failure.")
        }
    }

    /// AUTHENTICATE: the initial response (SASL-IR) or the first continuation.
    func startAuthentication(_ pending: PendingAuthentication, initialResponse: String?) async {
        var exchange = pending.exchange
        await authenticationStep(exchange.start(initialResponse: initialResponse), tag: pending.tag, exchange: exchange)
    }

    /// The client's line answering the last continuation.
    func authenticateResponse(_ pending: PendingAuthentication, line: String) async {
        var exchange = pending.exchange
        await authenticationStep(exchange.respond(line), tag: pending.tag, exchange: exchange)
    }

    private func authenticationStep(_ step: SASLExchange.Step, tag: String, exchange: SASLExchange) async {
        switch step {
        case .challenge(let challenge):
            encoder.writeContinuation(challenge, into: &output)
            pendingAuthentication = PendingAuthentication(tag: tag, exchange: exchange)
        case .credentials(let user, let password):
            await login(tag: tag, user: user, password: password, mechanism: exchange.mechanism.rawValue)
        case .failed(.aborted):
            tagged(tag, .bad, "Authentication aborted by client.")
        case .failed(.invalidBase64):
            tagged(tag, .bad, "Invalid base64 data in response")
        case .failed(.malformed):
            tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        case .failed(.authorizationDenied):
            tagged(tag, .no, code: .authorizationFailed, "Authorization as another user is not allowed.")
        }
    }
}

/// An AUTHENTICATE exchange waiting for the client's next line.
struct PendingAuthentication: Sendable {
    var tag: String
    var exchange: SASLExchange
}
