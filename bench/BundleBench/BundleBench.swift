import FSCache
import Foundation
import Logging
import MIME
import MetaCache
import ObjectMail
import ObjectStore
import StoreContract

/// The metacache benchmark (issue 7):
///  1. index upload cost per delivery into a large folder: bundle PUTs and bytes per delivered
///     message, amortised over many deliveries (base rewrites included);
///  2. a cold load: a user with many messages in 20 folders, loaded by a backend with an empty
///     metacache — time until INBOX can be selected, and the requests it took.
///
/// usage: bundle-bench [PIPELINE] [FOLDER_MESSAGES] [DELIVERIES] [COLD_MESSAGES]
@main
struct BundleBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pipeline = arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? "posix:\(scratch)/bucket"
        let folderSize = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
        let deliveries = arguments.count > 2 ? Int(arguments[2]) ?? 2_000 : 2_000
        let coldMessages = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
        let bucket = CountingStore(parent: try PipelineRegistry.standard.makeStore(pipeline))
        // Index bundles go through compress:gz:6, as obox_index_fs is configured in production.
        let indexBucket = CountingStore(parent: try PipelineRegistry.standard.makeStore("compress:gz:6:" + pipeline))
        print("bundle-bench: bucket \(bucket.parent.description.replacingOccurrences(of: scratch, with: "$TMP"))")
        try await uploadCost(bucket: indexBucket, scratch: scratch, folderSize: folderSize, deliveries: deliveries)
        try await coldLoad(bucket: bucket, indexBucket: indexBucket, scratch: scratch, messages: coldMessages)
    }

    /// Index rows with the cached fields of real parsed mail (varied per message), so that the
    /// bundle sizes and their compression are those of a real mailbox.
    static func row(_ index: Int, folder: String) -> NewMessage {
        let mail = Array(
            """
            From: Sender \(index % 97) <sender\(index % 97)@example.com>\r
            To: Reader <reader@example.com>\r
            Cc: team\(index % 13)@example.org\r
            Subject: Re: Weekly report \(index / 7) for project \(index % 31)\r
            Message-ID: <\(index).\(index &* 2_654_435_761 % 1_000_000)@mail.example.com>\r
            In-Reply-To: <\(index - 1).parent@mail.example.com>\r
            References: <\(index - 2).root@mail.example.com> <\(index - 1).parent@mail.example.com>\r
            Date: Sat, 21 Nov 2026 10:\(String(format: "%02d", index % 60)):00 +0100\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="b\(index)"\r
            \r
            --b\(index)\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Numbers for week \(index / 7): revenue \(index % 1000), cost \(index % 777). See the attached sheet.\r
            --b\(index)\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>Numbers for week \(index / 7)</p>\r
            --b\(index)--\r

            """.utf8)
        let cached = MIMEMessage.parse(mail).cachedFields().serialized()
        return NewMessage(
            guid: String(format: "%032x", index), objectKey: "mailboxes/\(folder)/\(String(format: "%032x", index))",
            size: Int64(mail.count), virtualSize: Int64(mail.count), internalDate: 1_790_000_000 + Int64(index),
            saveDate: 1_790_000_000 + Int64(index), cachedFields: Data(cached))
    }

    static func uploadCost(bucket: CountingStore, scratch: String, folderSize: Int, deliveries: Int) async throws {
        let index = try UserIndex(user: "big", directory: "\(scratch)/big")
        let inbox = try await index.createMailbox(name: "INBOX", guid: "bigfolder", uidValidity: 1).id
        var next = 0
        while next < folderSize {
            let batch = min(5_000, folderSize - next)
            _ = try await index.appendMessages((next..<next + batch).map { row($0, folder: "bigfolder") }, toMailbox: inbox)
            next += batch
        }
        let bundler = IndexBundler(index: index, store: bucket, prefix: "big", logger: quietLogger)
        let start = ContinuousClock.now
        try await bundler.flush()
        let baseTime = ContinuousClock.now - start
        let base = await bundler.figures
        let stored = try await rawSize(of: bucket, prefix: "big/")
        print(
            String(
                format: "base of a %d-message folder: %d KiB (%d KiB gzip-compressed), written in %@", folderSize,
                base.bytesUploaded / 1024, Int(stored / 1024), "\(baseTime)"))
        let listsBefore = bucket.count("list")
        for delivery in 0..<deliveries {
            _ = try await index.appendMessages([row(folderSize + delivery, folder: "bigfolder")], toMailbox: inbox)
            try await bundler.uploadDue()
        }
        try await bundler.flush()
        let after = await bundler.figures
        let puts = after.bundlesUploaded - base.bundlesUploaded
        let bytes = after.bytesUploaded - base.bytesUploaded
        let ratio = Double(stored) / Double(max(base.bytesUploaded, 1))
        let lists = bucket.count("list") - listsBefore
        print(
            String(
                format: "%d deliveries: %d bundle PUTs (%.3f per delivery), %d KiB (%.2f KiB per delivery; about %.2f KiB "
                    + "gzip-compressed at the base's ratio), %d new bases, %d LISTs (%.3f per delivery: the other-writer check before each upload, old bundles after a base)",
                deliveries, puts, Double(puts) / Double(deliveries), bytes / 1024, Double(bytes) / 1024 / Double(deliveries),
                Double(bytes) * ratio / 1024 / Double(deliveries), after.bases - base.bases, lists, Double(lists) / Double(deliveries)))
    }

    static func coldLoad(bucket: CountingStore, indexBucket: CountingStore, scratch: String, messages: Int) async throws {
        let folders = 20
        let writer = try makeStorage(bucket: bucket, indexBucket: indexBucket, home: "\(scratch)/writer")
        let user = try await writer.user("cold@example.com")
        var mailboxes = [try await user.mailbox("INBOX")]
        for n in 1..<folders { mailboxes.append(try await user.createMailbox("Folder \(n)")) }
        let perFolder = messages / folders
        let body = Array(("Subject: cold\r\nFrom: a@example.com\r\n\r\n" + String(repeating: "x", count: 2_000)).utf8)
        for mailbox in mailboxes {
            var saved = 0
            while saved < perFolder {
                let batch = min(100, perFolder - saved)
                _ = try await user.saveMessages(Array(repeating: IncomingMessage(bytes: body), count: batch), to: mailbox)
                saved += batch
            }
        }
        try await user.flush()
        let requestsBefore = requests(bucket) + requests(indexBucket)
        let readsBefore = bucket.reads + indexBucket.reads
        let listsBefore = bucket.count("list") + indexBucket.count("list")
        let start = ContinuousClock.now
        let reader = try makeStorage(bucket: bucket, indexBucket: indexBucket, home: "\(scratch)/reader")
        let loaded = try await reader.user("cold@example.com")
        let inbox = try await loaded.mailbox("INBOX")
        let states = try await loaded.messageStates(in: inbox)
        let elapsed = ContinuousClock.now - start
        print(
            "cold load of \(perFolder * folders) messages in \(folders) folders: INBOX (\(states.count) messages) ready in \(elapsed); "
                + "requests: \(requests(bucket) + requests(indexBucket) - requestsBefore) (GET \(bucket.reads + indexBucket.reads - readsBefore), "
                + "LIST \(bucket.count("list") + indexBucket.count("list") - listsBefore))")
    }

    static func makeStorage(bucket: CountingStore, indexBucket: CountingStore, home: String) throws -> MailStorage {
        let configuration = StorageConfiguration(prefixTemplate: "%8Mu/%u", homeTemplate: "\(home)/%u")
        return MailStorage(
            configuration: configuration, logger: quietLogger, storeForUser: { _ in bucket },
            indexStoreForUser: { _ in indexBucket })
    }

    /// Bytes as stored (compressed) under a prefix: the listing of the store below compress.
    static func rawSize(of store: CountingStore, prefix: String) async throws -> Int64 {
        guard let compress = store.parent as? CompressObjectStore else { return 0 }
        return try await compress.parent.listAll(prefix: prefix).reduce(Int64(0)) { $0 + $1.size }
    }

    static func requests(_ store: CountingStore) -> Int {
        ["get", "download", "put", "stat", "delete", "deleteMany", "copy", "list"].reduce(0) { $0 + store.count($1) }
    }
}

/// Benchmarks print their own figures; the storage's info lines (one per saved message) would drown them.
let quietLogger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    return logger
}()
