import Foundation
import IMAPProtocol
import NIOCore

extension IMAPSession {
    /// `mechanism` is the SASL mechanism for the log (Dovecot logs the LOGIN command as PLAIN).
    func login(tag: String, user name: String, password: String, mechanism: String) async {
        lastLoginAttempt = (name, mechanism)
        let login = SessionLogin(authenticator: authenticator, storage: storage, userIPConnections: userIPConnections, service: "imap")
        switch await login.logIn(user: name, password: password, transport: transport, mechanism: mechanism, logger: logger) {
        case .loggedIn(let success):
            userIPKey = success.userIPKey
            framerControl.authenticated = true
            state = .authenticated(LoggedIn(name: success.name, user: success.mail))
            logger[metadataKey: "user"] = "\(success.name)"
            tagged(tag, .ok, code: .capability(postLoginCapabilities), "Logged in")
            // Dovecot's imap process starts its own count after imap-login handed the client over.
            invalidCommands = 0
            scheduleInactivityCheck()
        case .tooManyConnections(let limit):
            encoder.writeUntagged(
                .bye,
                "Maximum number of connections from user+IP exceeded "
                    + "(mail_max_userip_connections=\(limit))", into: &output)
            end(.closedByServer("Maximum number of connections from user+IP exceeded"))
        case .storageUnavailable:
            tagged(tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
        case .failed:
            failedLogins += 1
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
            state = .notAuthenticated(authenticating: PendingAuthentication(tag: tag, exchange: exchange))
        case .credentials(let user, let password):
            await login(tag: tag, user: user, password: password, mechanism: exchange.mechanism.rawValue)
        case .failed(.aborted):
            tagged(tag, .bad, "Authentication aborted by client.")
        case .failed(.invalidBase64):
            tagged(tag, .bad, "Invalid base64 data in response")
        case .failed(.malformed):
            failedLogins += 1
            tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        case .failed(.authorizationDenied):
            failedLogins += 1
            tagged(tag, .no, code: .authorizationFailed, "Authorization as another user is not allowed.")
        }
    }
}

/// An AUTHENTICATE exchange waiting for the client's next line.
struct PendingAuthentication: Sendable {
    var tag: String
    var exchange: SASLExchange
}
