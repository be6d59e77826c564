import Foundation
import ObjectMail

extension POP3Session {
    /// AUTHORIZATION state: CAPA, USER/PASS, AUTH, QUIT (RFC 1939 §4, RFC 5034).
    func authorization(_ command: POP3Command, userName: String?) async {
        switch command {
        case .capa:
            capabilities()
        case .noop:
            ok()
        case .quit:
            ok("Logging out.")
            statistics.reason = "Logged out"
            state = .closing
        case .user, .pass, .auth(.some, _):
            guard transport.plaintextAuthAllowed else {
                return error("[AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.")
            }
            await credentials(command, userName: userName)
        case .auth(nil, _):
            // Not in RFC 5034, but what clients probing with a bare AUTH expect (Dovecot answers it too).
            ok()
            for mechanism in SASLExchange.offered(by: login.authenticator) { output.writeString(mechanism.rawValue + "\r\n") }
            output.writeString(".\r\n")
        case .stls:
            await startTLS()
        case .apop:
            // APOP needs plaintext passwords the passdb can hand out; it is not offered in the greeting.
            badCommand("APOP is not supported.")
        default:
            badCommand("Unknown command: \(command.name)")
        }
    }

    /// USER, PASS and AUTH, once a password may be sent on this connection.
    private func credentials(_ command: POP3Command, userName: String?) async {
        switch command {
        case .user(let name):
            state = .authorization(userName: name)
            ok()
        case .pass(let password):
            guard let userName else { return badCommand("No username given.") }
            state = .authorization(userName: nil)
            await logIn(user: userName, password: password, mechanism: "PLAIN")
        case .auth(let mechanism?, let initialResponse):
            guard var exchange = SASLExchange(mechanism: mechanism, offeredBy: login.authenticator) else {
                return badCommand("Unsupported authentication mechanism.")
            }
            await sasl(exchange.start(initialResponse: initialResponse), exchange: exchange)
        default:
            break
        }
    }

    /// One step of an AUTH exchange.
    func sasl(_ step: SASLExchange.Step, exchange: SASLExchange) async {
        switch step {
        case .challenge(let challenge):
            output.writeString("+ \(challenge)\r\n")
            state = .authenticating(exchange)
        case .credentials(let user, let password):
            await logIn(user: user, password: password, mechanism: exchange.mechanism.rawValue)
        case .failed(.aborted):
            badCommand("Authentication aborted by client.")
        case .failed(.invalidBase64):
            badCommand("Invalid base64 data in continued response")
        case .failed(.malformed):
            error("[AUTH] Authentication failed.")
        case .failed(.authorizationDenied):
            error("[AUTH] Authorization as another user is not allowed.")
        }
    }

    private func logIn(user name: String, password: String, mechanism: String) async {
        lastLoginAttempt = (name, mechanism)
        // Commands a client pipelined after PASS wait until the result is known (RFC 2449 §6.6).
        switch await login.logIn(user: name, password: password, transport: transport, mechanism: mechanism, logger: logger) {
        case .loggedIn(let user):
            loggedIn = user
            logger[metadataKey: "user"] = "\(user.name)"
            if configuration.lockSession {
                guard locks.lock(user.name) else {
                    error("[IN-USE] Mailbox is locked by another POP3 session.")
                    statistics.reason = "Mailbox locked"
                    state = .closing
                    return
                }
                holdsLock = true
            }
            do {
                let maildrop = try await POP3Maildrop.load(user: user.mail, configuration: configuration)
                self.maildrop = maildrop
                fetcher = POP3BodyFetcher(user: user.mail, window: configuration.prefetchCount)
                state = .transaction
                ok("Logged in.")
            } catch {
                logger.error("cannot open INBOX: \(error)")
                self.error("[SYS/TEMP] Couldn't open INBOX, try again later.")
                statistics.reason = "INBOX unavailable"
                state = .closing
            }
        case .failed:
            failedLogins += 1
            badCommand("[AUTH] Authentication failed.")
        case .temporaryFailure:
            error("[SYS/TEMP] Temporary authentication failure.")
        case .tooManyConnections(let limit):
            error("[IN-USE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=\(limit))")
            state = .closing
        case .storageUnavailable:
            error("[SYS/TEMP] Temporary storage failure, try again later.")
            state = .closing
        }
    }

    /// STLS (RFC 2595): the go-ahead is the last clear-text line; anything pipelined behind the command
    /// in clear text is dropped (CVE-2011-0411).
    private func startTLS() async {
        guard let provider = transport.security.tls else { return error("TLS support isn't enabled.") }
        guard transport.canStartTLS else { return error("TLS is already active.") }
        await flush()
        var reply = channel.allocator.buffer(capacity: 32)
        reply.writeString("+OK Begin TLS negotiation now.\r\n")
        transport.startingTLS()
        let inputs = self.inputs
        do {
            try await TLSUpgrade.startTLS(
                on: channel, context: provider.context, reply: reply, makeFramer: makeFramer,
                onEstablished: { inputs.yield(.tlsEstablished) }
            ).get()
        } catch {
            logger.error("STLS failed: \(error)")
            statistics.reason = "TLS handshake failed"
            state = .closing
        }
    }
}
