import Crypto
import Foundation

/// A mailbox's index as uploaded to the bucket. A base holds every message; a diff holds what
/// changed after the bundle it follows (`previous`), so a delivery into a 100,000-message folder
/// uploads a few kilobytes. Loading takes the newest base and the diffs chained after it.
public struct MailboxBundle: Sendable, Equatable {
    public enum Kind: UInt8, Sendable { case base = 1, diff = 2 }

    public var kind: Kind
    public var mailboxGUID: String
    /// The bundle this diff follows (nil for a base).
    public var previous: String?
    /// A diff holds the changes with MODSEQ above this; 0 for a base.
    public var sinceModSeq: Int64
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: Int64
    public var createdAt: Int64
    public var keywords: [Int: String]
    /// Every message (base) or the new and changed ones (diff).
    public var messages: [MessageRecord]
    /// The expunge log (base) or the expunges since `sinceModSeq` (diff): UID → MODSEQ.
    public var expunged: [UInt32: Int64]
}

/// The user's root bundle: which mailboxes exist under which names, and the subscriptions.
public struct RootBundle: Sendable, Equatable {
    public struct Mailbox: Sendable, Equatable {
        public var guid: String
        public var name: String
        public var uidValidity: UInt32
        public var specialUse: String?
        public var createdAt: Int64
    }

    public var mailboxes: [Mailbox]
    public var subscriptions: [String]
    /// Small per-user state (`last-uidvalidity`).
    public var state: [String: String]
}

/// The bundle file format: magic, version, kind, payload, SHA-256 of everything before it.
enum BundleCodec {
    static let magic: [UInt8] = Array("OMIB".utf8)
    static let version: UInt8 = 1
    static let rootKind: UInt8 = 0x10

    static func encode(_ bundle: MailboxBundle) -> [UInt8] {
        var writer = header(kind: bundle.kind.rawValue)
        writer.string(bundle.mailboxGUID)
        writer.optionalString(bundle.previous)
        writer.int(bundle.sinceModSeq)
        writer.u32(bundle.uidValidity)
        writer.u32(bundle.uidNext)
        writer.int(bundle.highestModSeq)
        writer.int(bundle.createdAt)
        writer.varint(UInt64(bundle.keywords.count))
        for (position, name) in bundle.keywords.sorted(by: { $0.key < $1.key }) {
            writer.varint(UInt64(position))
            writer.string(name)
        }
        writer.varint(UInt64(bundle.messages.count))
        for message in bundle.messages {
            writer.u32(message.uid)
            writer.string(message.guid)
            writer.string(message.objectKey)
            writer.varint(UInt64(message.flags))
            writer.int(message.keywords)
            writer.int(message.modSeq)
            writer.int(message.size)
            writer.int(message.virtualSize)
            writer.int(message.internalDate)
            writer.int(message.saveDate)
            writer.data(Array(message.cachedFields))
        }
        writer.varint(UInt64(bundle.expunged.count))
        for (uid, modSeq) in bundle.expunged.sorted(by: { $0.key < $1.key }) {
            writer.u32(uid)
            writer.int(modSeq)
        }
        return seal(writer)
    }

    static func decodeMailbox(_ bytes: [UInt8], name: String) throws(BundleError) -> MailboxBundle {
        var reader = try open(bytes, name: name)
        guard let kind = MailboxBundle.Kind(rawValue: try reader.u8()) else { throw .corrupt(name, "not a mailbox bundle") }
        let guid = try reader.string()
        let previous = try reader.optionalString()
        let since = try reader.int()
        let uidValidity = try reader.u32(), uidNext = try reader.u32()
        let highestModSeq = try reader.int(), createdAt = try reader.int()
        var keywords: [Int: String] = [:]
        for _ in 0..<(try reader.count(limit: 64)) {
            keywords[try reader.count(limit: 63)] = try reader.string()
        }
        var messages: [MessageRecord] = []
        let count = try reader.count()
        messages.reserveCapacity(count)
        for _ in 0..<count {
            let uid = try reader.u32()
            let messageGUID = try reader.string(), objectKey = try reader.string()
            let flags = Int(try reader.varint())
            let keywordMask = try reader.int(), modSeq = try reader.int()
            let size = try reader.int(), virtualSize = try reader.int()
            let internalDate = try reader.int(), saveDate = try reader.int()
            let cached = Data(try reader.data())
            messages.append(MessageRecord(mailboxID: 0, uid: uid, guid: messageGUID, objectKey: objectKey, flags: flags,
                                          keywords: keywordMask, modSeq: modSeq, size: size, virtualSize: virtualSize,
                                          internalDate: internalDate, saveDate: saveDate, cachedFields: cached))
        }
        var expunged: [UInt32: Int64] = [:]
        for _ in 0..<(try reader.count()) {
            expunged[try reader.u32()] = try reader.int()
        }
        return MailboxBundle(kind: kind, mailboxGUID: guid, previous: previous, sinceModSeq: since, uidValidity: uidValidity,
                             uidNext: uidNext, highestModSeq: highestModSeq, createdAt: createdAt, keywords: keywords,
                             messages: messages, expunged: expunged)
    }

    static func encode(_ bundle: RootBundle) -> [UInt8] {
        var writer = header(kind: rootKind)
        writer.varint(UInt64(bundle.mailboxes.count))
        for mailbox in bundle.mailboxes {
            writer.string(mailbox.guid)
            writer.string(mailbox.name)
            writer.u32(mailbox.uidValidity)
            writer.optionalString(mailbox.specialUse)
            writer.int(mailbox.createdAt)
        }
        writer.varint(UInt64(bundle.subscriptions.count))
        bundle.subscriptions.forEach { writer.string($0) }
        writer.varint(UInt64(bundle.state.count))
        for (key, value) in bundle.state.sorted(by: { $0.key < $1.key }) {
            writer.string(key)
            writer.string(value)
        }
        return seal(writer)
    }

    static func decodeRoot(_ bytes: [UInt8], name: String) throws(BundleError) -> RootBundle {
        var reader = try open(bytes, name: name)
        guard try reader.u8() == rootKind else { throw .corrupt(name, "not a root bundle") }
        var mailboxes: [RootBundle.Mailbox] = []
        for _ in 0..<(try reader.count()) {
            mailboxes.append(RootBundle.Mailbox(guid: try reader.string(), name: try reader.string(), uidValidity: try reader.u32(),
                                                specialUse: try reader.optionalString(), createdAt: try reader.int()))
        }
        var subscriptions: [String] = []
        for _ in 0..<(try reader.count()) { subscriptions.append(try reader.string()) }
        var state: [String: String] = [:]
        for _ in 0..<(try reader.count()) { state[try reader.string()] = try reader.string() }
        return RootBundle(mailboxes: mailboxes, subscriptions: subscriptions, state: state)
    }

    private static func header(kind: UInt8) -> BundleWriter {
        var writer = BundleWriter()
        magic.forEach { writer.u8($0) }
        writer.u8(version)
        writer.u8(kind)
        return writer
    }

    private static func seal(_ writer: BundleWriter) -> [UInt8] {
        writer.bytes + Array(SHA256.hash(data: writer.bytes))
    }

    /// Checks magic, version and checksum; returns a reader positioned at the kind byte.
    private static func open(_ bytes: [UInt8], name: String) throws(BundleError) -> BundleReader {
        guard bytes.count > magic.count + 1 + 32, Array(bytes.prefix(magic.count)) == magic else {
            throw .corrupt(name, "not an ObjectMail index bundle")
        }
        let body = bytes.prefix(bytes.count - 32)
        guard Array(SHA256.hash(data: body)) == Array(bytes.suffix(32)) else { throw .corrupt(name, "checksum mismatch") }
        guard bytes[magic.count] == version else { throw .unsupportedVersion(name, bytes[magic.count]) }
        return BundleReader(Array(body), from: magic.count + 1, context: name)
    }
}
