import Foundation
import ObjectMail

extension ManageSieveSession {
    /// Before login: CAPABILITY, NOOP, LOGOUT, STARTTLS, AUTHENTICATE (RFC 5804 §2.1, §2.2).
    func unauthenticated(_ command: ManageSieveCommand) async {
        switch command {
        case .startTLS:
            await startTLS()
        case .authenticate(let mechanism, let initialResponse):
            guard transport.plaintextAuthAllowed else {
                return respond(.no, "Plaintext authentication disabled.")
            }
            guard var exchange = SASLExchange(mechanism: mechanism, offeredBy: login.authenticator) else {
                return respond(.no, "Unsupported authentication mechanism.")
            }
            await sasl(exchange.start(initialResponse: initialResponse), exchange: exchange, initial: initialResponse != nil)
        default:
            common(command)
        }
    }

    /// One step of an AUTHENTICATE exchange: a challenge is a string on its own line (RFC 5804 §2.1).
    /// `initial`: the step answers the initial response (SASL-IR), which Dovecot names in its refusal.
    func sasl(_ step: SASLExchange.Step, exchange: SASLExchange, initial: Bool = false) async {
        switch step {
        case .challenge(let challenge):
            writeString(challenge)
            output.writeString("\r\n")
            state = .authenticating(exchange)
        case .credentials(let user, let password):
            await logIn(user: user, password: password, mechanism: exchange.mechanism.rawValue)
        case .failed(.aborted):
            respond(.no, "Authentication aborted by client.")
        case .failed(.invalidBase64):
            badCommand("Invalid base64 data in \(initial ? "initial" : "continued") response")
        case .failed(.malformed), .failed(.authorizationDenied):
            failedLogins += 1
            respond(.no, "Authentication failed.")
        }
    }

    private func logIn(user name: String, password: String, mechanism: String) async {
        lastLoginAttempt = (name, mechanism)
        switch await login.logIn(user: name, password: password, transport: transport, mechanism: mechanism, logger: logger) {
        case .loggedIn(let user):
            logger[metadataKey: "user"] = "\(user.name)"
            state = .authenticated(user)
            // The managesieve process Dovecot hands the client to counts afresh.
            badCommands = 0
            respond(.ok, "Logged in.")
        case .failed:
            failedLogins += 1
            respond(.no, "Authentication failed.")
        case .temporaryFailure:
            respond(.no, code: "TRYLATER", "Temporary authentication failure.")
        case .tooManyConnections(let limit):
            // Dovecot's managesieve-login refuses the login and keeps the connection.
            respond(.no, "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=\(limit))")
        case .storageUnavailable:
            respond(.no, code: "TRYLATER", "Temporary storage failure, try again later.")
        }
    }

    /// UNAUTHENTICATE (RFC 5804 §2.14): back to the state before AUTHENTICATE; the connection slot is given back.
    func unauthenticate(_ user: SessionLogin.LoggedInUser) {
        login.userIPConnections.release(user.userIPKey)
        logger[metadataKey: "user"] = nil
        state = .unauthenticated
        badCommands = 0
        respond(.ok, "Unauthenticate completed.")
    }

    /// STARTTLS (RFC 5804 §2.2): the OK is the last clear-text line; anything pipelined behind the command in clear
    /// text is dropped (CVE-2011-0411). The capabilities follow once the handshake is done.
    private func startTLS() async {
        guard let provider = transport.security.tls else { return respond(.no, "TLS support isn't enabled.") }
        guard transport.canStartTLS else { return respond(.no, "TLS is already active.") }
        await flush()
        var reply = channel.allocator.buffer(capacity: 32)
        reply.writeString("OK \"Begin TLS negotiation now.\"\r\n")
        transport.startingTLS()
        let inputs = self.inputs
        do {
            try await TLSUpgrade.startTLS(
                on: channel, context: provider.context, reply: reply, makeFramer: makeFramer,
                onEstablished: { inputs.yield(.tlsEstablished) }
            ).get()
        } catch {
            logger.error("STARTTLS failed: \(error)")
            close(reason: "TLS handshake failed")
        }
    }
}
