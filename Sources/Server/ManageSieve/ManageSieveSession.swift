import Auth
import Foundation
import Logging
import NIOCore
import ObjectMail

/// One ManageSieve connection (RFC 5804), as Dovecot's managesieve-login and managesieve processes serve it: one task,
/// so commands answer in order and storage calls simply await.
actor ManageSieveSession {
    /// Dovecot disconnects a client after this many bad commands: managesieve-login soon, managesieve later.
    static let maxBadCommandsBeforeLogin = 3
    static let maxBadCommands = 20

    let channel: any Channel
    let connection: ConnectionContext
    let login: SessionLogin
    let configuration: ManageSieveConfiguration
    let traffic: TrafficCounter
    let inputs: AsyncStream<ManageSieveSessionInput>.Continuation
    /// A fresh framer, for STARTTLS (which drops the old one with any clear text it holds).
    let makeFramer: @Sendable () -> any ChannelHandler
    var transport: SessionTransport
    var logger: Logger
    var output = ByteBuffer()

    enum State {
        case unauthenticated
        /// AUTHENTICATE waiting for the client's next string.
        case authenticating(SASLExchange)
        case authenticated(SessionLogin.LoggedInUser)
        case closing
    }

    var state = State.unauthenticated
    var badCommands = 0
    /// Why the session ended, the start of the logout line.
    var reason = "Connection closed"
    let connectedAt = ContinuousClock.now
    var failedLogins = 0
    var lastLoginAttempt: (user: String, method: String)?

    init(
        channel: any Channel, connection: ConnectionContext, login: SessionLogin, configuration: ManageSieveConfiguration,
        traffic: TrafficCounter, inputs: AsyncStream<ManageSieveSessionInput>.Continuation,
        makeFramer: @escaping @Sendable () -> any ChannelHandler
    ) {
        self.channel = channel
        self.connection = connection
        self.login = login
        self.configuration = configuration
        self.traffic = traffic
        self.inputs = inputs
        self.makeFramer = makeFramer
        transport = SessionTransport(connection)
        // Dovecot's prefix: managesieve(user)<session>.
        var logger = Logger(label: "managesieve")
        logger[metadataKey: "session"] = "\(connection.sessionID)"
        self.logger = logger
    }

    func run(_ stream: AsyncStream<ManageSieveSessionInput>) async {
        for await input in stream {
            switch input {
            case .connected:
                capabilities()
                respond(.ok, "ObjectMail ready.")
            case .frame(let frame):
                traffic.frameTaken(from: channel)
                guard transport.accepts() else { continue }
                await login.storage.configuration.withinDeadline {
                    await MailLogContext.$sessionLogger.withValue(logger) { await handle(frame) }
                }
            case .tlsEstablished:
                transport.handshakeCompleted(logger: logger)
                // RFC 5804 §2.2: the capabilities again, now that TLS may have changed them.
                capabilities()
                respond(.ok, "TLS negotiation successful.")
            case .idleTimeout:
                respond(.bye, "Disconnected for inactivity.")
                reason = "Disconnected for inactivity"
                state = .closing
            }
            if case .closing = state { break }
            await flush()
        }
        if output.readableBytes > 0 { try? await channel.writeAndFlush(output).get() }
        finish()
        try? await channel.close()
    }

    private func finish() {
        guard case .authenticated(let user) = state else {
            if case .closing = state, let user = loggedOutUser { return logout(user) }
            let line = PreLoginEndLine(
                failedLogins: failedLogins, lastAttempt: lastLoginAttempt, connectedFor: ContinuousClock.now - connectedAt,
                reason: reason == "Disconnected for inactivity" ? "Disconnected: Inactivity" : nil)
            logger.info("\(line.text(addresses: transport.client.logFields, session: connection.sessionID))")
            return
        }
        logout(user)
    }

    /// The user of a session that ended by LOGOUT or a server-side close after login.
    var loggedOutUser: SessionLogin.LoggedInUser?

    private func logout(_ user: SessionLogin.LoggedInUser) {
        let values = [
            "input": String(traffic.received.load(ordering: .relaxed)), "output": String(traffic.sent.load(ordering: .relaxed))
        ]
        logger.info("Disconnected: \(reason) \(configuration.logoutFormat.expand(values))")
        login.userIPConnections.release(user.userIPKey)
    }

    /// Ends the session after this answer; a logged-in user's slot is given back by `finish`.
    func close(reason: String) {
        self.reason = reason
        if case .authenticated(let user) = state { loggedOutUser = user }
        state = .closing
    }

    // MARK: - Output

    enum Status: String {
        case ok = "OK"
        case no = "NO"
        case bye = "BYE"
    }

    /// `OK`/`NO`/`BYE`, an optional response code (already formatted, e.g. `QUOTA/MAXSIZE` or `TAG "x"`), and text.
    func respond(_ status: Status, code: String? = nil, _ text: String) {
        var line = status.rawValue
        if let code { line += " (\(code))" }
        line += " "
        output.writeString(line)
        writeString(text)
        output.writeString("\r\n")
    }

    /// A string as Dovecot sends it: quoted, or a literal when it holds line breaks or quoting would not do.
    func writeString(_ text: String) {
        if text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) || text.utf8.count > 1024 {
            output.writeString("{\(text.utf8.count)}\r\n")
            output.writeString(text)
        } else {
            output.writeString("\"")
            output.writeString(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))
            output.writeString("\"")
        }
    }

    /// Writes what is buffered and waits until the socket took it.
    func flush() async {
        guard output.readableBytes > 0 else { return }
        let buffer = output
        output = channel.allocator.buffer(capacity: 512)
        try? await channel.writeAndFlush(buffer).get()
    }

    /// The capability lines (RFC 5804 §1.7), as Dovecot sends them: SASL and STARTTLS before login, MAXREDIRECTS after.
    func capabilities() {
        var lines: [(String, String?)] = [
            ("IMPLEMENTATION", configuration.implementation), ("SIEVE", configuration.sieveExtensionsCapability)
        ]
        if case .authenticated = state {
            if configuration.limits.maxRedirects != Int.max { lines.append(("MAXREDIRECTS", String(configuration.limits.maxRedirects))) }
            lines.append(("UNAUTHENTICATE", nil))
        } else {
            let mechanisms = transport.plaintextAuthAllowed ? SASLExchange.offered(by: login.authenticator).map(\.rawValue) : []
            lines.append(("SASL", mechanisms.joined(separator: " ")))
            if transport.canStartTLS { lines.append(("STARTTLS", nil)) }
        }
        lines.append(("VERSION", "1.0"))
        for (name, value) in lines {
            writeString(name)
            if let value {
                output.writeString(" ")
                writeString(value)
            }
            output.writeString("\r\n")
        }
    }

    // MARK: - Input

    private func handle(_ frame: ManageSieveFrame) async {
        let tokens: [ManageSieveToken]
        switch frame {
        case .tooLong:
            return badCommand("Too long command line.")
        case .malformed(let message):
            return badCommand("Error in MANAGESIEVE command received by server: \(message)")
        case .literalTooLarge(let size, _):
            if case .authenticated = state {
                return respond(.no, code: "QUOTA/MAXSIZE", "Script is too large (max \(configuration.limits.maxScriptSize) bytes).")
            }
            return badCommand("Literal too large (\(size) bytes).")
        case .command(let list):
            tokens = list
        }
        if case .authenticating(var exchange) = state {
            state = .unauthenticated
            guard tokens.count == 1, case .string(let response) = tokens[0] else {
                return respond(.no, "Authentication aborted: invalid response.")
            }
            return await sasl(exchange.respond(response), exchange: exchange)
        }
        let command: ManageSieveCommand
        do {
            command = try ManageSieveCommandParser.parse(tokens)
        } catch {
            if case .authenticated = state { return badCommand(error.message) }
            // Before login Dovecot gives no detail, whatever was wrong.
            return badCommand("Error in MANAGESIEVE command received by server.")
        }
        switch state {
        case .unauthenticated:
            guard !command.needsLogin else { return badCommand("Error in MANAGESIEVE command received by server.") }
            await unauthenticated(command)
        case .authenticated(let user):
            await authenticated(command, user: user)
        case .authenticating, .closing:
            break
        }
    }

    /// The last bad command allowed gets the BYE instead of its NO, as from Dovecot.
    func badCommand(_ message: String) {
        badCommands += 1
        let limit: Int
        if case .authenticated = state { limit = Self.maxBadCommands } else { limit = Self.maxBadCommandsBeforeLogin }
        guard badCommands < limit else {
            respond(.bye, "Too many invalid MANAGESIEVE commands.")
            return close(reason: "Too many invalid commands")
        }
        respond(.no, message)
    }

    /// What both states answer alike.
    func common(_ command: ManageSieveCommand) {
        switch command {
        case .capability:
            capabilities()
            respond(.ok, "Capability completed.")
        case .noop(let tag?):
            respond(.ok, code: "TAG " + quotedForCode(tag), "Done")
        case .noop(nil):
            respond(.ok, "NOOP Completed")
        case .logout:
            respond(.ok, "Logout completed.")
            close(reason: "Logged out")
        default:
            break
        }
    }

    private func quotedForCode(_ text: String) -> String {
        let saved = output
        output = ByteBuffer()
        writeString(text)
        let value = output.readString(length: output.readableBytes) ?? ""
        output = saved
        return value
    }
}
