import Config
import Foundation

/// One socket to listen on, read from `service NAME { inet_listener … unix_listener … }`.
public struct ListenerSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case inet(host: String, port: Int)
        case unix(path: String, mode: UInt32, user: String, group: String)
    }

    /// The protocol served (the service name: lmtp, later imap, pop3).
    public var service: String
    public var endpoint: Endpoint
    /// `inet_listener { ssl = yes }`: implicit TLS (imaps 993, pop3s 995).
    public var ssl = false

    /// `service auth`'s client sockets: not a protocol `protocols` names, served whatever it lists (as Dovecot's
    /// auth service always runs).
    public static let authClientService = "auth"

    /// Dovecot's login-process service names and the protocol they serve.
    static let loginServices = ["imap-login": "imap", "pop3-login": "pop3", "managesieve-login": "sieve"]

    var isUnix: Bool {
        if case .unix = endpoint { return true }
        return false
    }

    public var description: String {
        switch endpoint {
        case .inet(let host, let port): return "\(service) on \(host.contains(":") ? "[\(host)]" : host):\(port)\(ssl ? " (TLS)" : "")"
        case .unix(let path, _, _, _): return "\(service) on unix:\(path)"
        }
    }

    /// Every listener of the enabled protocols. A protocol without any listener is a configuration error
    /// rather than a server that silently serves less.
    public static func all(from settings: Settings) throws -> [ListenerSpec] {
        // The registry refuses protocols this build does not implement (`protocols` is a list of built words).
        let protocols = settings.list("protocols")
        var specs: [ListenerSpec] = []
        for service in settings.sections("service") {
            // Dovecot names IMAP's, POP3's and ManageSieve's listeners `service imap-login`, `pop3-login`, `managesieve-login`.
            let name = Self.loginServices[service.name ?? ""] ?? (service.name ?? "")
            try refuseUnservable(service)
            guard protocols.contains(name) || name == Self.authClientService else { continue }
            specs += try inetListeners(of: service, as: name, listen: settings.list("listen"))
            for listener in service.sections("unix_listener")
            where name != Self.authClientService || !Self.authMasterSockets.contains(((listener.name ?? "") as NSString).lastPathComponent) {
                guard let mode = UInt32(listener.string("mode"), radix: 8), mode <= 0o777 else {
                    throw ConfigError(
                        "unix_listener \(listener.name ?? ""): mode must be octal such as 0600, not '\(listener.string("mode"))'",
                        at: listener.location(of: "mode"))
                }
                specs.append(
                    ListenerSpec(
                        service: name,
                        endpoint: .unix(
                            path: listener.name ?? "", mode: mode,
                            user: listener.string("user"), group: listener.string("group"))))
            }
        }
        for name in protocols where !specs.contains(where: { $0.service == name }) {
            throw ConfigError(
                "protocols includes \(name) but service \(name) has no inet_listener with a port or unix_listener",
                at: settings.location(of: "protocols"))
        }
        return specs
    }

    /// `service stats { inet_listener http { port = 9900 } }`: where Dovecot 2.3 serves OpenMetrics at
    /// GET /metrics. Not a mail protocol, so `protocols` does not name it; a stats service with no port serves nothing.
    public static func statsListeners(from settings: Settings) throws -> [ListenerSpec] {
        var specs: [ListenerSpec] = []
        for service in settings.sections("service") where service.name == "stats" {
            let found = try inetListeners(of: service, as: "stats", listen: settings.list("listen"))
            if let tls = found.first(where: \.ssl) {
                throw ConfigError("service stats: \(tls): the metrics listener speaks plain HTTP only (remove ssl = yes)")
            }
            specs += found
        }
        return specs
    }

    /// Services whose sockets other programs rely on but that this build cannot serve yet: refused at start
    /// rather than left unopened (Postfix would find no auth socket). Script services (`executable = script PATH`)
    /// are run directly by what calls them (quota warnings: `ScriptService`), so their sockets are not opened.
    private static func refuseUnservable(_ service: Settings) throws {
    }

    /// auth-userdb, auth-master and the login sockets speak Dovecot's auth master protocol (userdb lookups for
    /// dovecot-lda and login processes). There is no LDA and no login process here (mail arrives over LMTP), so
    /// such a listener opens nothing; the server says so at start instead of refusing a common configuration.
    static let authMasterSockets: Set = ["auth-userdb", "auth-master", "auth-login", "auth-worker", "auth-token"]

    public static func unopenedAuthMasterListeners(in settings: Settings) -> [String] {
        settings.sections("service").filter { $0.name == authClientService }
            .flatMap { $0.sections("unix_listener") }.compactMap(\.name)
            .filter { authMasterSockets.contains(($0 as NSString).lastPathComponent) }
    }

    /// `listen`: the addresses of a listener that names none.
    private static func inetListeners(of service: Settings, as name: String, listen: [String]) throws -> [ListenerSpec] {
        var specs: [ListenerSpec] = []
        for listener in service.sections("inet_listener") {
            let port = listener.number("port")
            guard port > 0 else { continue }
            guard port < 65536 else {
                throw ConfigError("inet_listener \(listener.name ?? ""): port \(port) is out of range", at: listener.location(of: "port"))
            }
            var addresses = listener.list("address")
            if addresses.isEmpty { addresses = listen.isEmpty ? ["*"] : listen }
            for address in addresses {
                specs.append(
                    ListenerSpec(
                        service: name, endpoint: .inet(host: address == "*" ? "0.0.0.0" : address, port: port),
                        ssl: listener.bool("ssl")))
            }
        }
        return specs
    }
}
