import Foundation
import Server

/// `who` and `kick` of doveadm-who(1) and doveadm-kick(1), answered from the running server's logged-in sessions.
enum DoveadmSessions {
    static func run(_ request: DoveadmRequest, into response: inout DoveadmResponse) async {
        let masks = request.arguments.filter { !looksLikeIP($0) }
        let ips = request.arguments.filter(looksLikeIP)
        let chosen = { (session: SessionDirectory.Session) in
            (masks.isEmpty || masks.contains { glob($0, session.user) }) && (ips.isEmpty || ips.contains(session.remoteIP))
        }
        let pid = String(ProcessInfo.processInfo.processIdentifier)
        if request.command == "kick" {
            guard !request.arguments.isEmpty else {
                response.fail(64, "kick: a user mask or an IP is needed")
                return
            }
            let kicked = await SessionDirectory.shared.kick(matching: chosen)
            response.fields = ["username"]
            response.hiddenTitles = ["username"]
            response.rows = Array(Set(kicked.map(\.user))).sorted().map { [$0] }
            if response.rows.isEmpty { response.exitCode = DoveadmExit.notFound }
            return
        }
        let sessions = SessionDirectory.shared.sessions().filter(chosen)
        if request.options["1"] != nil {
            response.fields = ["username", "service", "pid", "ip"]
            response.titles = ["service": "proto"]
            response.rows = sessions.map { [$0.user, $0.service, pid, $0.remoteIP] }
            return
        }
        response.fields = ["username", "connections", "service", "pids", "ips"]
        response.titles = ["connections": "#", "service": "proto", "pids": "(pids)", "ips": "(ips)"]
        var groups: [String: [SessionDirectory.Session]] = [:]
        for session in sessions { groups["\(session.user)\t\(session.service)", default: []].append(session) }
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let addresses = Array(Set(group.map(\.remoteIP))).sorted().joined(separator: " ")
            response.rows.append([group[0].user, String(group.count), group[0].service, "(\(pid))", "(\(addresses))"])
        }
    }

    static func looksLikeIP(_ text: String) -> Bool {
        let address = text.split(separator: "/").first.map(String.init) ?? text
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, address, &ipv4) == 1 || inet_pton(AF_INET6, address, &ipv6) == 1
    }

    /// doveadm's user masks: `*` and `?`.
    static func glob(_ mask: String, _ name: String) -> Bool {
        fnmatch(mask, name, 0) == 0
    }
}
