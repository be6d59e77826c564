import Auth
import Config
import FSCache
import Foundation
import Logging
import MetaCache
import ObjectMail
import ObjectStore
import Server
import StoreContract

/// The POP3 benchmark (issue 13): STAT, LIST and UIDL of a large mailbox in ms and store GETs
/// (target: 0), and RETR throughput with bodies in the fscache and without it.
///
/// usage: pop3-bench [LARGE_MAILBOX_MESSAGES] [RETR_MESSAGES] [SIMULATED_GET_LATENCY_MS]
@main
struct POP3Bench {
    static func main() async throws {
        // The sessions' own loggers too: only the figures go to the terminal.
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let arguments = Array(CommandLine.arguments.dropFirst())
        let large = arguments.first.flatMap(Int.init) ?? 10_000
        let retrCount = arguments.dropFirst().first.flatMap(Int.init) ?? 1_000
        let latency = arguments.dropFirst(2).first.flatMap(Int.init) ?? 20
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pop3-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try "large@example.com:{PLAIN}secret::::::\nretr@example.com:{PLAIN}secret::::::\n"
            .write(toFile: "\(scratch)/users", atomically: true, encoding: .utf8)

        let counting = CountingStore(parent: try PipelineRegistry.standard.makeStore("posix:\(scratch)/objects"))
        let slow = CountingStore(parent: counting, getDelay: .milliseconds(latency))
        let cache = FSCacheStore(parent: counting, directory: "\(scratch)/cache", maxSize: 4 << 30, logger: quiet)
        // Which store bodies are read through, switched between runs (saves always go through the cache).
        let mode = ModeSwitch()
        let storage = MailStorage(configuration: StorageConfiguration(homeTemplate: "\(scratch)/home/%u"), logger: quiet) { _ in
            SwitchingStore(mode: mode, cached: cache, uncached: counting, slow: slow)
        }
        var registry = SettingsRegistry()
        AuthSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        let port = try freePort()
        let settings = try registry.load(
            text: """
                protocols = pop3
                service pop3-login {
                  inet_listener pop3 {
                    address = 127.0.0.1
                    port = \(port)
                  }
                }
                passdb {
                  driver = passwd-file
                  args = \(scratch)/users
                }
                userdb {
                  driver = passwd-file
                  args = \(scratch)/users
                }
                """, file: "pop3-bench.conf")
        let authenticator = try Authenticator(settings: settings, logger: quiet)
        let configuration = try POP3Configuration(uidlFormat: "%g", noFlagUpdates: true)
        let server = ObjectMailServer(
            services: [.pop3(authenticator: authenticator, storage: storage, configuration: configuration)],
            logger: quiet)
        try await server.start(ListenerSpec.all(from: settings))

        print("date: \(ISO8601DateFormatter().string(from: Date()))  cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("filling: \(large) messages for the listing test, \(retrCount) for RETR")
        try await fill(storage.user("large@example.com"), count: large, bodySize: 2_000)
        try await fill(storage.user("retr@example.com"), count: retrCount, bodySize: 50_000)
        await cache.waitForPendingWrites()

        // STAT, LIST, UIDL of the large mailbox: login builds the snapshot from the index.
        let before = counting.reads
        let listing = try await onThread { try listingTimes(port: port) }
        print(
            String(
                format: "%6d messages  login+snapshot %7.1f ms  STAT %5.1f ms  LIST %6.1f ms  UIDL %6.1f ms  store GETs %d",
                large, listing.login, listing.stat, listing.list, listing.uidl, counting.reads - before))

        for (name, selected) in [
            ("cached (fscache)", Mode.cached), ("uncached (posix, no delay)", .uncached),
            ("uncached (+\(latency) ms per GET)", .slow)
        ] {
            mode.set(selected)
            let gets = counting.reads
            let (seconds, octets) = try await onThread { try retrieveAll(port: port, count: retrCount) }
            print(
                String(
                    format: "RETR %-30@ %5d msgs %8.1f msgs/s %7.1f MB/s  store GETs %d", name as NSString, retrCount,
                    Double(retrCount) / seconds, Double(octets) / seconds / 1_000_000, counting.reads - gets))
        }
        await server.shutdown(grace: .seconds(1))
    }

    static let quiet: Logger = {
        var logger = Logger(label: "pop3-bench")
        logger.logLevel = .critical
        return logger
    }()

    static func fill(_ user: MailUser, count: Int, bodySize: Int) async throws {
        let inbox = try await user.mailbox("INBOX")
        for start in stride(from: 0, to: count, by: 100) {
            let batch = (start..<min(start + 100, count)).map { IncomingMessage(bytes: message($0, bodySize: bodySize)) }
            _ = try await user.saveMessages(batch, to: inbox)
        }
    }

    static func message(_ n: Int, bodySize: Int) -> [UInt8] {
        let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, message \(n).\r\n.and a dot line\r\n"
        let body = String(repeating: line, count: max(1, bodySize / line.utf8.count))
        return Array("From: Sender <s@example.com>\r\nTo: u@example.com\r\nSubject: Benchmark \(n)\r\nMessage-ID: <b\(n)@example.com>\r\n\r\n\(body)".utf8)
    }

    struct ListingTimes: Sendable { var login = 0.0, stat = 0.0, list = 0.0, uidl = 0.0 }

    static func listingTimes(port: Int) throws -> ListingTimes {
        let client = try POP3Client(port: port)
        var times = ListingTimes()
        try client.command("USER large@example.com")
        times.login = try milliseconds { try client.command("PASS secret") }
        times.stat = try milliseconds { try client.command("STAT") }
        times.list = try milliseconds {
            try client.command("LIST")
            _ = try client.multiline()
        }
        times.uidl = try milliseconds {
            try client.command("UIDL")
            _ = try client.multiline()
        }
        try client.command("QUIT")
        return times
    }

    static func retrieveAll(port: Int, count: Int) throws -> (Double, Int) {
        let client = try POP3Client(port: port)
        try client.command("USER retr@example.com")
        try client.command("PASS secret")
        var octets = 0
        let start = Date()
        for number in 1...count {
            try client.command("RETR \(number)")
            octets += try client.multiline()
        }
        let seconds = Date().timeIntervalSince(start)
        try client.command("QUIT")
        return (seconds, octets)
    }

    static func milliseconds(_ body: () throws -> Void) throws -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start) * 1000
    }
}
