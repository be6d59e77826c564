import FSCache
import Foundation
import IMAPProtocol
import Logging
import MIME
import MailModel
import MetaCache
import NIOCore
import ObjectMail
import ObjectStore
import StoreContract

/// The storage core's benchmark (issue 6): saves/s, a simulated first sync of a large mailbox
/// (flags, envelope, body structure, sizes, dates) in ms and store requests, COPY and MOVE of
/// 1,000 messages and an expunge, in store requests.
///
/// usage: storage-bench [PIPELINE] [MESSAGES]
///   PIPELINE defaults to a posix store in a temporary directory; pass e.g.
///   `s3:http://KEY:SECRET@127.0.0.1:8333/bucket/` to measure against an S3 server.
@main
struct StorageBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("storage-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pipeline = arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? "posix:\(scratch)/objects"
        let count = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
        let parent = try PipelineRegistry.standard.makeStore(pipeline)
        let store = CountingStore(parent: parent)
        let configuration = StorageConfiguration(prefixTemplate: "%8Mu/%u", homeTemplate: "\(scratch)/home/%u")
        let storage = MailStorage(configuration: configuration, logger: quietLogger) { _ in store }
        let user = try await storage.user("bench-\(UUID().uuidString.prefix(8))@example.com")
        let inbox = try await user.mailbox("INBOX")

        print("storage-bench: \(count) messages into \(parent.description.replacingOccurrences(of: scratch, with: "$TMP"))")
        let corpus = (0..<64).map(Self.message)
        var saved = 0
        let saveStart = ContinuousClock.now
        while saved < count {
            let batch = min(10, count - saved)
            // Ten sessions' worth of saves in flight, as concurrent deliveries would be.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<batch {
                    let bytes = corpus[(saved + n) % corpus.count]
                    group.addTask { _ = try await user.saveMessages([IncomingMessage(bytes: bytes)], to: inbox) }
                }
                try await group.waitForAll()
            }
            saved += batch
        }
        let saveSeconds = seconds(since: saveStart)
        row(
            "save", "\(count) messages", String(format: "%.0f msgs/s", Double(count) / saveSeconds),
            "PUT \(store.count("put")) (\(String(format: "%.2f", Double(store.count("put")) / Double(count))) per message)")

        let requestsBefore = totalRequests(store)
        let syncStart = ContinuousClock.now
        let states = try await user.messageStates(in: inbox)
        let rows = try await user.messages(.all, in: inbox)
        var envelopeBytes = 0
        let encoder = IMAPResponseEncoder()
        for row in rows {
            let cached = try CachedMessageFields(serialized: Array(row.cachedFields))
            var written = ByteBuffer()
            encoder.writeEnvelope(cached.envelope, into: &written)
            encoder.writeBodyStructure(cached.structure, extensible: true, into: &written)
            envelopeBytes += written.readableBytes
        }
        let syncMilliseconds = seconds(since: syncStart) * 1000
        row(
            "first sync", "\(states.count) messages", String(format: "%.0f ms", syncMilliseconds),
            "requests \(totalRequests(store) - requestsBefore) (GET \(store.reads)), \(envelopeBytes / 1024) KiB of ENVELOPE+BODYSTRUCTURE")

        let archive = try await user.createMailbox("Archive")
        let trash = try await user.createMailbox("Trash")
        let thousand = UIDSet(ranges: [1...UInt32(min(1000, count))])
        var before = totalRequests(store)
        _ = try await user.copyMessages(thousand, from: inbox, to: archive)
        row("copy", "\(min(1000, count)) messages", "", "requests \(totalRequests(store) - before)")
        before = totalRequests(store)
        _ = try await user.moveMessages(thousand, from: archive, to: trash)
        row("move", "\(min(1000, count)) messages", "", "requests \(totalRequests(store) - before)")
        before = totalRequests(store)
        let bulkBefore = store.count("deleteMany")
        _ = try await user.expungeMessages(thousand, in: inbox)
        _ = try await user.expungeMessages(.all, in: trash)
        row(
            "expunge", "\(min(1000, count)) messages", "",
            "requests \(totalRequests(store) - before) (DeleteObjects \(store.count("deleteMany") - bulkBefore))")
    }

    static func message(_ n: Int) -> [UInt8] {
        let body = String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. \(n)\r\n", count: 20 + n * 5)
        return Array(
            """
            From: Sender \(n) <sender\(n)@example.com>\r
            To: Benchmark <bench@example.com>\r
            Subject: Benchmark message \(n)\r
            Message-ID: <bench-\(n)@example.com>\r
            Date: Sat, 21 Nov 2026 10:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="alt\(n)"\r
            \r
            --alt\(n)\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            \(body)\r
            --alt\(n)\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>\(body)</p>\r
            --alt\(n)--\r

            """.utf8)
    }

    static func totalRequests(_ store: CountingStore) -> Int {
        ["get", "download", "put", "stat", "delete", "deleteMany", "copy", "list"].reduce(0) { $0 + store.count($1) }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func row(_ name: String, _ size: String, _ speed: String, _ requests: String) {
        print(
            name.padding(toLength: 12, withPad: " ", startingAt: 0), size.padding(toLength: 16, withPad: " ", startingAt: 0),
            speed.padding(toLength: 14, withPad: " ", startingAt: 0), requests)
    }
}

/// Benchmarks print their own figures; the storage's info lines (one per saved message) would drown them.
let quietLogger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    return logger
}()
