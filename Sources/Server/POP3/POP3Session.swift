import Auth
import Foundation
import Logging
import NIOCore
import ObjectMail

/// One POP3 connection (RFC 1939): AUTHORIZATION → TRANSACTION → UPDATE, run as one task so
/// commands answer strictly in order (pipelining, RFC 2449) and storage calls simply await.
actor POP3Session {
    /// Dovecot disconnects a client after this many bad commands in a row.
    static let maxBadCommands = 20

    let channel: any Channel
    let connection: ConnectionContext
    let login: SessionLogin
    let locks: POP3SessionLocks
    let configuration: POP3Configuration
    let traffic: TrafficCounter
    let writer: POP3MessageWriter
    let inputs: AsyncStream<POP3SessionInput>.Continuation
    /// A fresh line framer, for STLS (which drops the old one with any clear text it holds).
    let makeFramer: @Sendable () -> any ChannelHandler
    /// TLS state and the client's address, for STLS and `disable_plaintext_auth`.
    var transport: SessionTransport
    var logger: Logger
    var output = ByteBuffer()

    enum State {
        case authorization(userName: String?)
        /// AUTH waiting for the client's next line.
        case authenticating(SASLExchange)
        case transaction
        case closing
    }

    var state = State.authorization(userName: nil)
    var badCommands = 0
    var loggedIn: SessionLogin.LoggedInUser?
    var holdsLock = false
    var maildrop: POP3Maildrop?
    var fetcher: POP3BodyFetcher?
    var statistics = POP3Statistics()
    let connectedAt = ContinuousClock.now
    /// Failed logins and the last attempt, for pop3-login's line when the connection ends without a login.
    var failedLogins = 0
    var lastLoginAttempt: (user: String, method: String)?

    init(
        channel: any Channel, connection: ConnectionContext, login: SessionLogin, locks: POP3SessionLocks,
        configuration: POP3Configuration, traffic: TrafficCounter, inputs: AsyncStream<POP3SessionInput>.Continuation,
        makeFramer: @escaping @Sendable () -> any ChannelHandler
    ) {
        self.channel = channel
        self.inputs = inputs
        self.makeFramer = makeFramer
        transport = SessionTransport(connection)
        self.connection = connection
        self.login = login
        self.locks = locks
        self.configuration = configuration
        self.traffic = traffic
        writer = POP3MessageWriter(workarounds: configuration.workarounds)
        // Dovecot's prefix: pop3(user)<session>.
        var logger = Logger(label: "pop3")
        logger[metadataKey: "session"] = "\(connection.sessionID)"
        self.logger = logger
    }

    func run(_ stream: AsyncStream<POP3SessionInput>) async {
        for await input in stream {
            switch input {
            case .connected:
                ok("ObjectMail ready.")
            case .frame(let frame):
                traffic.frameTaken(from: channel)
                guard transport.accepts() else { continue }
                await login.storage.configuration.withinDeadline { await MailLogContext.$sessionLogger.withValue(logger) { await handle(frame) } }
            case .tlsEstablished:
                transport.handshakeCompleted(logger: logger)
            case .idleTimeout:
                error("Disconnected for inactivity.")
                statistics.reason = "Disconnected for inactivity"
                state = .closing
            }
            if case .closing = state { break }
            await flush()
        }
        fetcher?.cancelAll()
        if output.readableBytes > 0 { try? await channel.writeAndFlush(output).get() }
        await MailLogContext.$sessionLogger.withValue(logger) { await finish() }
        try? await channel.close()
        // As Dovecot at the end of a mail session: after the client is gone, so it never waits for it.
        if let user = loggedIn?.mail { await MailLogContext.$sessionLogger.withValue(logger) { _ = await user.autoexpunge() } }
    }

    /// Ends the session: \Seen for what was retrieved (also without QUIT, as Dovecot does), the
    /// logout line, and the lock and connection slot given back.
    private func finish() async {
        guard let loggedIn else { return logEndBeforeLogin() }
        if let maildrop, !configuration.noFlagUpdates, !statistics.updated {
            await markSeen(maildrop, user: loggedIn.mail)
        }
        var values = statistics.logValues(maildrop: maildrop)
        values["input"] = String(traffic.received.load(ordering: .relaxed))
        values["output"] = String(traffic.sent.load(ordering: .relaxed))
        logger.info("Disconnected: \(statistics.reason) \(configuration.logoutFormat.expand(values))")
        login.userIPConnections.release(loggedIn.userIPKey)
        if holdsLock { locks.unlock(loggedIn.name) }
    }

    /// pop3-login's line when a connection ends without a login (`PreLoginEndLine`), which fail2ban's dovecot
    /// filter matches for POP3 as for IMAP.
    private func logEndBeforeLogin() {
        let reason: String? =
            switch statistics.reason {
            case "Disconnected for inactivity": "Disconnected: Inactivity"
            case "Logged out": "Aborted login"
            default: nil
            }
        let line = PreLoginEndLine(
            failedLogins: failedLogins, lastAttempt: lastLoginAttempt,
            connectedFor: ContinuousClock.now - connectedAt, reason: reason)
        logger.info("\(line.text(addresses: transport.client.logFields, session: connection.sessionID))")
    }

    // MARK: - Output

    func ok(_ text: String = "") {
        output.writeString(text.isEmpty ? "+OK\r\n" : "+OK \(text)\r\n")
    }

    func error(_ text: String) {
        output.writeString("-ERR \(text)\r\n")
    }

    /// Writes what is buffered and waits until the socket took it, so a client reading slowly
    /// holds back the session rather than filling memory with messages.
    func flush() async {
        guard output.readableBytes > 0 else { return }
        let buffer = output
        output = channel.allocator.buffer(capacity: 512)
        try? await channel.writeAndFlush(buffer).get()
    }

    // MARK: - Input

    private func handle(_ frame: LineFrame) async {
        let line: String
        switch frame {
        case .tooLong:
            return badCommand("Input line too long.")
        case .line(let text):
            line = text
        }
        if case .authenticating(var exchange) = state {
            state = .authorization(userName: nil)
            return await sasl(exchange.respond(line), exchange: exchange)
        }
        let command: POP3Command
        do {
            command = try POP3CommandParser.parse(line)
        } catch {
            return badCommand(error.message)
        }
        switch state {
        case .authorization(let userName):
            await authorization(command, userName: userName)
        case .transaction:
            await transaction(command)
        case .authenticating, .closing:
            break
        }
    }

    func badCommand(_ message: String) {
        error(message)
        badCommands += 1
        if badCommands >= Self.maxBadCommands {
            error("Too many bad commands.")
            statistics.reason = "Too many bad commands"
            state = .closing
        }
    }

    /// CAPA (RFC 2449), as Dovecot's pop3-login builds it: STLS while TLS can start; USER and the SASL
    /// mechanisms only where a password may be sent (`disable_plaintext_auth`); LAST never.
    func capabilities() {
        var lines = ["CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"]
        if case .authorization = state {
            if transport.canStartTLS { lines.append("STLS") }
            if transport.plaintextAuthAllowed {
                lines += ["USER", "SASL " + SASLExchange.offered(by: login.authenticator).map(\.rawValue).joined(separator: " ")]
            } else {
                lines.append("SASL")
            }
        }
        ok()
        for line in lines { output.writeString(line + "\r\n") }
        output.writeString(".\r\n")
    }
}

/// What the logout line reports (`pop3_logout_format`).
struct POP3Statistics {
    var topCount = 0, topBytes = 0, retrCount = 0, retrBytes = 0
    var deletedCount = 0
    /// Why the session ended, the start of the logout line.
    var reason = "Connection closed"
    /// The UPDATE state ran (QUIT): flags were already written.
    var updated = false

    func logValues(maildrop: POP3Maildrop?) -> [String: String] {
        [
            "top_count": String(topCount), "top_bytes": String(topBytes), "retr_count": String(retrCount),
            "retr_bytes": String(retrBytes), "deleted_count": String(deletedCount),
            "message_count": String(maildrop?.messages.count ?? 0), "message_bytes": String(maildrop?.totalOctets ?? 0),
            "uidl_change": ""
        ]
    }
}
