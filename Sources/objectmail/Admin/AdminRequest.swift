import Foundation
import Logging
import ObjectMail

/// One admin request: `VERB[\tUSER]` in, text out, the last line `+OK` or `-ERR reason`.
/// The same answers whether they come from the running server (its socket) or, with the server
/// stopped, from the command line process acting on the metacache directory and the bucket.
enum AdminRequest {
    static let verbs = ["list", "status", "flush", "flushall", "clean", "rescan"]

    static func answer(_ line: String, storage: MailStorage, logger: Logger, offline: Bool = false) async -> String {
        if line.hasPrefix("doveadm\t") { return await DoveadmService.answer(String(line.dropFirst(8)), storage: storage) + "+OK\n" }
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let verb = parts.first ?? ""
        let user = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        do {
            let text = try await run(verb, user: user, storage: storage, offline: offline)
            if verb != "list" && verb != "status" {
                logger.info("metacache \(verb)\(user.map { " -u \($0)" } ?? ""): \(text.split(separator: "\n").last ?? "")")
            }
            return text + "+OK\n"
        } catch let failure as Failure {
            return "-ERR \(failure.reason)\n"
        } catch {
            return "-ERR \(error)\n"
        }
    }

    struct Failure: Error {
        let reason: String
    }

    private static func run(_ verb: String, user: String?, storage: MailStorage, offline: Bool) async throws -> String {
        func required() throws -> String {
            guard let user else { throw Failure(reason: "\(verb) needs -u USER") }
            return user
        }
        if offline && verb != "list" && verb != "status" {
            // Never change a metacache a live server is using behind its back.
            let entries = MetacacheDirectory.scan(homeTemplate: storage.configuration.homeTemplate)
            if let busy = entries.first(where: { $0.openBy != nil && (user == nil || $0.user == user) }) {
                throw Failure(
                    reason: "process \(busy.openBy!) has \(busy.user) open but its admin socket is not reachable; "
                        + "run the command from the server's start directory or with its base_dir")
            }
        }
        switch verb {
        case "list":
            return offline ? listOnDisk(storage) : await listActive(storage)
        case "status":
            let limits = storage.configuration.metacache
            let users = offline ? MetacacheDirectory.scan(homeTemplate: storage.configuration.homeTemplate).count : await storage.status().count
            let bytes =
                offline
                ? MetacacheDirectory.scan(homeTemplate: storage.configuration.homeTemplate).reduce(0) { $0 + $1.bytes }
                : await storage.metacacheUsage()
            return "server=\(offline ? "stopped" : "running") users=\(users) bytes=\(bytes) max_space=\(limits.maxSpace) max_grace=\(limits.maxGrace)\n"
        case "flush" where user == nil, "flushall":
            let names = offline ? MetacacheDirectory.scan(homeTemplate: storage.configuration.homeTemplate).map(\.user) : []
            for name in names { _ = try await storage.user(name) }
            let failed = await storage.flushAll()
            guard failed.isEmpty else { throw Failure(reason: "flushing failed for \(failed.sorted().joined(separator: ", "))") }
            return "flushed \(offline ? names.count : await storage.status().filter(\.active).count) users\n"
        case "flush":
            let name = try required()
            if offline { _ = try await storage.user(name) }
            guard try await storage.flush(name) else { throw Failure(reason: "user \(name) is not open on this server") }
            return "flushed \(name)\n"
        case "clean":
            let name = try required()
            if offline { _ = try await storage.user(name) }
            guard try await storage.clean(name) else {
                throw Failure(reason: "user \(name) is in use (a session or delivery holds it) or its upload failed; not removed")
            }
            return "cleaned \(name): index uploaded and removed from the metacache\n"
        case "rescan":
            let name = try required()
            let report = try await storage.rescan(name)
            let renumbered = report.merged.values.reduce(0) { $0 + $1.renumbered }
            return "rescanned \(name): lists=\(report.listRequests) bundles=\(report.bundlesRead) merged=\(report.merged.count) "
                + "renumbered=\(renumbered) dropped=\(report.dropped) orphans=\(report.orphans.values.reduce(0) { $0 + $1.count })\n"
        default:
            throw Failure(reason: "unknown request '\(verb)' (\(verbs.joined(separator: ", ")))")
        }
    }

    private static func listActive(_ storage: MailStorage) async -> String {
        var text = "user\tbytes\tidle\tstate\tdirty\n"
        for entry in await storage.status() {
            let idle = entry.idleSeconds.map { String(format: "%.0fs", $0) } ?? "-"
            text += "\(entry.user)\t\(entry.bytes)\t\(idle)\t\(entry.active ? "open" : "evicted")\t\(entry.dirty ? "yes" : "no")\n"
        }
        return text
    }

    private static func listOnDisk(_ storage: MailStorage) -> String {
        var text = "user\tbytes\tidle\tstate\tdirty\n"
        for entry in MetacacheDirectory.scan(homeTemplate: storage.configuration.homeTemplate) {
            text += "\(entry.user)\t\(entry.bytes)\t-\tstopped\t\(entry.dirty ? "yes" : "no")\n"
        }
        return text
    }
}
