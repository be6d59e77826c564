import Foundation
import MIME
import MetaCache
import ObjectStore
import Primitives

/// Turns messages into mail objects: each parsed once (its envelope, structure and preview go into the index so a
/// first sync needs no GET) and stored with the metadata a rebuild from the bucket alone needs. It knows nothing of
/// the index: `MailUser.saveMessages` adds the rows once the objects exist.
struct MailObjectWriter: Sendable {
    let user: String
    let store: any ObjectStore
    let layout: UserLayout
    let maxParallelWrites: Int

    struct Prepared: Sendable {
        var body: ObjectBody
        /// Keeps a spooled body's file open (its `/proc/self/fd` path) until the PUT is done.
        var spool: SpoolFile?
        var row: NewMessage
        var options: PutOptions
        var messageID: String
    }

    /// Parses `message` (a spooled one off the event loop) and names its object; nothing is written yet.
    func prepare(_ message: IncomingMessage, mailbox: Mailbox, now: Date) async throws -> Prepared {
        let cached: CachedMessageFields
        let body: ObjectBody
        if let spool = message.spool {
            // Parsing tens of megabytes (and the page faults of the mapping) is blocking work: not on the
            // session's event loop.
            do {
                cached = try await BlockingPool.fileIO.run { try spool.withMappedBytes { CachedMessageFields(buffer: $0) } }
            } catch {
                throw StorageError.fromStore(error, user: user)
            }
            body = .file(path: spool.path)
        } else {
            cached = MIMEMessage.parse(message.bytes).cachedFields()
            body = .bytes(message.bytes)
        }
        let size = message.size
        let guid = UniqueID.make()
        let key = UserLayout.messageKey(mailboxGUID: mailbox.guid, objectID: UniqueID.make())
        let received = Int64(message.internalDate.timeIntervalSince1970)
        let saved = Int64(now.timeIntervalSince1970)
        let row = NewMessage(
            cached: cached, guid: guid, objectKey: key, flags: message.flags, keywords: message.keywords,
            size: size, internalDate: received, saveDate: saved)
        let metadata = [
            MailObjectMetadata.user: Self.metadataValue(user),
            MailObjectMetadata.guid: guid,
            MailObjectMetadata.size: String(size),
            MailObjectMetadata.received: String(received),
            MailObjectMetadata.saved: String(saved),
            MailObjectMetadata.originalMailbox: mailbox.guid,
            MailObjectMetadata.originalMailboxName: Self.metadataValue(mailbox.name)
        ]
        let messageID = cached.envelope.messageID.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Prepared(
            body: body, spool: message.spool, row: row,
            options: PutOptions(metadata: metadata, contentType: "message/rfc822"), messageID: messageID)
    }

    /// Stores every prepared message, at most `maxParallelWrites` PUTs at a time. Every PUT runs to its end before
    /// the outcome is decided, so that a failure never leaves behind an object the caller does not know about (a
    /// rescan would adopt it into the mailbox). Returns the keys stored and the first failure.
    func store(_ prepared: [Prepared]) async -> (stored: [String], failure: (any Error)?) {
        let store = self.store
        let layout = self.layout
        let maxParallel = maxParallelWrites
        let results = await withTaskGroup(of: Result<String, any Error>.self) { group in
            var finished: [Result<String, any Error>] = []
            for (position, item) in prepared.enumerated() {
                // obox_max_parallel_writes: a new PUT starts only when one of the earlier ones ended.
                if position >= maxParallel, let result = await group.next() { finished.append(result) }
                group.addTask {
                    do {
                        try await store.put(layout.bucketKey(item.row.objectKey), body: item.body, options: item.options)
                        return .success(item.row.objectKey)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: finished) { $0.append($1) }
        }
        let stored = results.compactMap { try? $0.get() }
        let failure = results.lazy.compactMap { result -> (any Error)? in
            if case .failure(let error) = result { return error }
            return nil
        }.first
        return (stored, failure)
    }

    /// Metadata values travel as HTTP headers: anything outside printable ASCII is percent-encoded (uppercase hex,
    /// as `removingPercentEncoding` reads it back), and so are `"`, `%` and `\`. A byte loop: building the
    /// CharacterSets on every save was a seventieth of an APPEND's CPU.
    static func metadataValue(_ text: String) -> String {
        func kept(_ byte: UInt8) -> Bool { (0x21...0x7E).contains(byte) && byte != 0x22 && byte != 0x25 && byte != 0x5C }
        guard !text.utf8.allSatisfy(kept) else { return text }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if kept(byte) {
                encoded.append(byte)
            } else {
                encoded.append(0x25)
                Hex.append(byte, uppercase: true, to: &encoded)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
