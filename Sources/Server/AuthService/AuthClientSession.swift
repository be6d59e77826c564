import Auth
import Foundation
import Logging
import NIOCore
import Primitives
import Synchronization

/// What the auth-client session task reacts to.
enum AuthClientInput: Sendable {
    case connected
    case frame(LineFrame)
}

/// One MTA connection on `service auth { unix_listener … }`: the handshake, then AUTH requests checked against the
/// same passdbs as IMAP and POP3 logins, with the same mechanisms (`auth_mechanisms`), penalties, failure delay and
/// plaintext rule (`disable_plaintext_auth`: an MTA says `secured` for TLS or local connections).
actor AuthClientSession {
    private let channel: any Channel
    private let authenticator: Authenticator
    private let security: ConnectionSecurity
    private let traffic: TrafficCounter
    private let logger: Logger
    private var handshakeDone = false
    /// SASL exchanges waiting for the client's `CONT`, by request id.
    private var exchanges: [String: (request: AuthClientRequest, exchange: SASLExchange)] = [:]
    private static let connectionCounter = ConnectionCounter()
    /// No session in the prefix: Dovecot's auth lines start `auth: `.
    private static let authLog = Logger(label: "auth")

    init(channel: any Channel, connection: ConnectionContext, authenticator: Authenticator, traffic: TrafficCounter) {
        self.channel = channel
        self.authenticator = authenticator
        security = connection.security
        self.traffic = traffic
        var logger = connection.logger
        logger[metadataKey: "service"] = "auth"
        self.logger = logger
    }

    func run(_ inputs: AsyncStream<AuthClientInput>) async {
        for await input in inputs {
            switch input {
            case .connected:
                await send(handshake())
            case .frame(let frame):
                traffic.frameTaken(from: channel)
                guard case .line(let line) = frame else { return await close("line too long") }
                guard await handle(AuthClientLine(line)) else { return }
            }
        }
    }

    private func handshake() -> [String] {
        SASLExchange.offered(by: authenticator).map { "MECH\t\($0.rawValue)\tplaintext" }
            + [
                "VERSION\t1\t2", "SPID\t\(getpid())", "CUID\t\(Self.connectionCounter.next())",
                "COOKIE\t\(Self.cookie())", "DONE"
            ]
    }

    /// False when the connection is closed.
    private func handle(_ line: AuthClientLine) async -> Bool {
        switch line {
        case .version(let major, _):
            guard major == 1 else {
                await close("auth client speaks protocol version \(major), not 1")
                return false
            }
            handshakeDone = true
        case .clientPID:
            break
        case .authenticate(let request):
            guard handshakeDone else {
                await close("AUTH before VERSION")
                return false
            }
            await start(request)
        case .continuation(let id, let response):
            guard var pending = exchanges.removeValue(forKey: id) else {
                await close("CONT for unknown request \(id)")
                return false
            }
            await proceed(pending.request, pending.exchange.respond(response), exchange: &pending.exchange)
        case .cancel(let id):
            exchanges[id] = nil
        case .unknown(let command):
            await close("unknown command \(command)")
            return false
        }
        return true
    }

    private func start(_ request: AuthClientRequest) async {
        guard var exchange = SASLExchange(mechanism: request.mechanism, offeredBy: authenticator) else {
            return await send(["FAIL\t\(request.id)\treason=Unsupported authentication mechanism."])
        }
        if !plaintextAllowed(request) {
            return await send(["FAIL\t\(request.id)\treason=Plaintext authentication disabled."])
        }
        let step = exchange.start(initialResponse: request.initialResponse)
        await proceed(request, step, exchange: &exchange)
    }

    private func proceed(_ request: AuthClientRequest, _ step: SASLExchange.Step, exchange: inout SASLExchange) async {
        switch step {
        case .challenge(let challenge):
            exchanges[request.id] = (request, exchange)
            await send(["CONT\t\(request.id)\t\(challenge)"])
        case .failed:
            await send(["FAIL\t\(request.id)\treason=Invalid authentication data."])
        case .credentials(let user, let password):
            let result = await authenticator.authenticate(
                AuthRequest(
                    user: user, password: password, service: request.service,
                    remoteIP: request.remoteIP, localIP: request.localIP,
                    secured: request.secured))
            let id = request.id
            switch result {
            case .success(let success):
                await send(["OK\t\(id)\tuser=\(AuthClientEscaping.escape(success.user))"])
            case .failure(let reason):
                logger.info(
                    "auth failed: user=<\(user)>, method=\(exchange.mechanism.rawValue), rip=\(request.remoteIP ?? ""), lip=\(request.localIP ?? ""), service=\(request.service)"
                )
                // Dovecot's auth process line, which Debian's fail2ban `dovecot` filter bans the address on.
                let outcome = reason == .unknownUser ? "unknown user" : reason == .passwordMismatch ? "Password mismatch" : reason.rawValue
                Self.authLog.info("passdb(\(user),\(request.remoteIP ?? "")): \(outcome)")
                await send(["FAIL\t\(id)\tuser=\(AuthClientEscaping.escape(user))"])
            case .temporaryFailure:
                await send(["FAIL\t\(id)\tuser=\(AuthClientEscaping.escape(user))\ttemp\treason=Temporary authentication failure."])
            }
        }
    }

    /// Dovecot's rule: a plaintext mechanism needs a secured connection unless `disable_plaintext_auth = no`; the MTA
    /// tells whether its client's connection is (`secured`), and a local or trusted client counts as secured.
    private func plaintextAllowed(_ request: AuthClientRequest) -> Bool {
        guard security.disablePlaintextAuth, !request.secured else { return true }
        guard let remote = request.remoteIP else { return false }
        return remote == request.localIP || security.trustedNetworks.contains(remote)
    }

    private func send(_ lines: [String]) async {
        var buffer = channel.allocator.buffer(capacity: 64)
        for line in lines { buffer.writeString(line + "\n") }
        try? await channel.writeAndFlush(buffer).get()
    }

    private func close(_ reason: String) async {
        logger.warning("auth client: \(reason); closing the connection")
        try? await channel.close()
    }

    private static func cookie() -> String {
        Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
    }
}

/// Connection numbers for the handshake's CUID.
private final class ConnectionCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
