import Foundation
import MIME
import MailModel
import MetaCache
import ObjectStore
import Primitives

/// A message to save (APPEND, LMTP delivery): its bytes as received and what the client set.
public struct IncomingMessage: Sendable {
    /// The message in memory; empty when it is in `spool`.
    public var bytes: [UInt8]
    /// A large message received into a file in `mail_temp_dir` (`bytes` is empty then): it is parsed from the
    /// mapped file and uploaded from it, never held in memory whole.
    public var spool: SpoolFile?
    public var flags: MessageFlags
    public var keywords: [String]
    public var internalDate: Date

    public init(bytes: [UInt8], flags: MessageFlags = [], keywords: [String] = [], internalDate: Date = Date()) {
        self.bytes = bytes
        self.flags = flags
        self.keywords = keywords
        self.internalDate = internalDate
    }

    public init(spool: SpoolFile, flags: MessageFlags = [], keywords: [String] = [], internalDate: Date = Date()) {
        self.init(bytes: [], flags: flags, keywords: keywords, internalDate: internalDate)
        self.spool = spool
    }

    /// The message's size in bytes, wherever it is.
    public var size: Int { spool.map { Int($0.size) } ?? bytes.count }
}

/// The names of the metadata stored on every mail object: enough to rebuild the index from the
/// bucket alone if every index bundle is lost.
public enum MailObjectMetadata {
    public static let user = "username"
    public static let guid = "guid"
    public static let size = "size"
    public static let received = "received"
    public static let saved = "saved"
    public static let originalMailbox = "origbox"
    /// The name of that mailbox when the mail was saved, so a rebuild from objects alone can put
    /// recovered mail back under a name the user knows (percent-encoded UTF-8).
    public static let originalMailboxName = "origbox-name"
}

extension MailUser {
    /// Saves messages into a mailbox: each is parsed once (its envelope, structure and preview are
    /// cached in the index so that a first sync needs no GET), stored as one object, and only then
    /// added to the index in one transaction. Success is returned only after both (durability rule
    /// 1). A save answered with a failure leaves nothing that can become mail later: its objects go into the
    /// refused-saves ledger before the error is thrown (see `RefusedSaves`), and nothing is added to the index.
    /// `quota`: how the quota limits apply (see `SaveQuotaCheck`). `catchUp`: the session's view of `mailbox`, whose
    /// changes the write reads (see `MailboxCursor`).
    public func saveMessages(
        _ messages: [IncomingMessage], to mailbox: Mailbox, now: Date = Date(),
        origin: UUID? = nil, quota quotaCheck: SaveQuotaCheck = .enforced,
        catchUp: MailboxCursor? = nil
    ) async throws -> UIDAssignment {
        // Bodies in memory count against the process's budget until the save is over (spooled ones live on disk).
        let inMemory = messages.reduce(Int64(0)) { $0 + Int64($1.bytes.count) }
        guard let taken = SaveMemoryBudget.shared.reserve(inMemory) else {
            logger.warning(
                "save refused: mail_save_memory_limit reached",
                metadata: [
                    "bytes": "\(inMemory)",
                    "inuse": "\(SaveMemoryBudget.shared.inUse)"
                ])
            let detail = "memory budget for saves in flight exhausted"
            throw StorageError.store(user: name, StoreFailure(.unavailable(key: "mail_save_memory_limit", detail: detail, requestID: nil)))
        }
        defer { SaveMemoryBudget.shared.release(taken) }
        var prepared: [PreparedMessage] = []
        for message in messages { prepared.append(try await prepare(message, mailbox: mailbox, now: now)) }
        if quotaCheck == .notEnforced {
            // Usage is still tracked: the warnings compare it with what it was before this save.
            await primeQuotaWarnings()
        } else {
            try await checkQuota(
                adding: prepared.count, bytes: prepared.reduce(0) { $0 + $1.row.size },
                into: mailbox.name, grace: quotaCheck == .withGrace)
        }
        let store = self.store
        let layout = self.layout
        let keys = prepared.map(\.row.objectKey)
        savesInFlight.formUnion(keys)
        defer { savesInFlight.subtract(keys) }
        // Every PUT runs to its end before deciding, so that a failure never leaves behind an
        // object we did not know about (a rescan would adopt it into the mailbox).
        let maxParallel = configuration.maxParallelWrites
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
        if let failure = results.lazy.compactMap({ result -> (any Error)? in
            if case .failure(let error) = result { return error }
            return nil
        }).first {
            // A PUT that failed here may still complete at the server (a stalled S3 finishing it later).
            refuseSaves(existing: stored, uncertain: keys.filter { !stored.contains($0) })
            logger.error("saving failed: \(failure)", metadata: ["box": "\(mailbox.name)"])
            throw StorageError.fromStore(failure, user: name)
        }
        let assigned: AssignedUIDs
        do {
            assigned = try await mapErrors {
                try await index.appendMessages(prepared.map(\.row), toMailbox: mailbox.id.value, catchingUp: catchUp?.request)
            }
        } catch {
            // The objects exist without rows: the client is told the save failed, so they must never become mail.
            refuseSaves(existing: keys, uncertain: [])
            logger.error("saving failed: \(error)", metadata: ["box": "\(mailbox.name)"])
            throw error
        }
        for (item, uid) in zip(prepared, assigned.destinationUIDs) {
            logger.info(
                "saved",
                metadata: [
                    "box": "\(mailbox.name)", "uid": "\(uid)", "size": "\(item.row.size)",
                    "msgid": "\(item.messageID)"
                ])
        }
        publishAppended(assigned, to: mailbox, origin: origin)
        await mailLogSaved(assigned, in: mailbox)
        return UIDAssignment(assigned)
    }

    private struct PreparedMessage: Sendable {
        var body: ObjectBody
        /// Keeps a spooled body's file open (its `/proc/self/fd` path) until the PUT is done.
        var spool: SpoolFile?
        var row: NewMessage
        var options: PutOptions
        var messageID: String
    }

    private func prepare(_ message: IncomingMessage, mailbox: Mailbox, now: Date) async throws -> PreparedMessage {
        let cached: CachedMessageFields
        let body: ObjectBody
        if let spool = message.spool {
            // Parsing tens of megabytes (and the page faults of the mapping) is blocking work: not on the
            // session's event loop.
            do {
                cached = try await BlockingPool.fileIO.run { try spool.withMappedBytes { CachedMessageFields(buffer: $0) } }
            } catch {
                throw StorageError.fromStore(error, user: name)
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
            MailObjectMetadata.user: Self.metadataValue(name),
            MailObjectMetadata.guid: guid,
            MailObjectMetadata.size: String(size),
            MailObjectMetadata.received: String(received),
            MailObjectMetadata.saved: String(saved),
            MailObjectMetadata.originalMailbox: mailbox.guid,
            MailObjectMetadata.originalMailboxName: Self.metadataValue(mailbox.name)
        ]
        let messageID = cached.envelope.messageID.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return PreparedMessage(
            body: body, spool: message.spool, row: row,
            options: PutOptions(metadata: metadata, contentType: "message/rfc822"), messageID: messageID)
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
