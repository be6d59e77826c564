import Crypto
import Foundation
import Primitives

/// A mailbox's index as uploaded to the bucket. A base holds every message; a diff holds what
/// changed after the bundle it follows (`previous`), so a delivery into a 100,000-message folder
/// uploads a few kilobytes. Loading takes the newest base and the diffs chained after it.
public struct MailboxBundle: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case base = 1
        case diff = 2
    }

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
        writer.varint(bundle.sinceModSeq)
        writer.littleEndian(bundle.uidValidity)
        writer.littleEndian(bundle.uidNext)
        writer.varint(bundle.highestModSeq)
        writer.varint(bundle.createdAt)
        writer.varint(UInt64(bundle.keywords.count))
        for (position, name) in bundle.keywords.sorted(by: { $0.key < $1.key }) {
            writer.varint(UInt64(position))
            writer.string(name)
        }
        writer.varint(UInt64(bundle.messages.count))
        for message in bundle.messages {
            writer.littleEndian(message.uid)
            writer.string(message.guid)
            writer.string(message.objectKey)
            writer.varint(UInt64(message.flags))
            writer.varint(message.keywords)
            writer.varint(message.modSeq)
            writer.varint(message.size)
            writer.varint(message.virtualSize)
            writer.varint(message.internalDate)
            writer.varint(message.saveDate)
            writer.data(Array(message.cachedFields))
        }
        writer.varint(UInt64(bundle.expunged.count))
        for (uid, modSeq) in bundle.expunged.sorted(by: { $0.key < $1.key }) {
            writer.littleEndian(uid)
            writer.varint(modSeq)
        }
        return seal(writer)
    }

    static func decodeMailbox(_ bytes: [UInt8], name: String) throws(BundleError) -> MailboxBundle {
        var reader = try open(bytes, name: name)
        return try decoding(name) { () throws(BinaryDecodingError) in
            guard let kind = MailboxBundle.Kind(rawValue: try reader.byte()) else { throw .corrupt("not a mailbox bundle") }
            let guid = try reader.string()
            let previous = try reader.optionalString()
            let since = try reader.signedVarint()
            let uidValidity = try reader.littleEndian(UInt32.self)
            let uidNext = try reader.littleEndian(UInt32.self)
            let highestModSeq = try reader.signedVarint()
            let createdAt = try reader.signedVarint()
            var keywords: [Int: String] = [:]
            for _ in 0..<(try reader.varint(max: 64)) {
                keywords[try reader.varint(max: 63)] = try reader.string()
            }
            var messages: [MessageRecord] = []
            let count = try reader.varint(max: maxCount)
            messages.reserveCapacity(count)
            for _ in 0..<count {
                let uid = try reader.littleEndian(UInt32.self)
                let messageGUID = try reader.string()
                let objectKey = try reader.string()
                let flags = try reader.varint(max: Int.max)
                let keywordMask = try reader.signedVarint()
                let modSeq = try reader.signedVarint()
                let size = try reader.signedVarint()
                let virtualSize = try reader.signedVarint()
                let internalDate = try reader.signedVarint()
                let saveDate = try reader.signedVarint()
                let cached = Data(try reader.data())
                messages.append(
                    MessageRecord(
                        mailboxID: 0, uid: uid, guid: messageGUID, objectKey: objectKey, flags: flags,
                        keywords: keywordMask, modSeq: modSeq, size: size, virtualSize: virtualSize,
                        internalDate: internalDate, saveDate: saveDate, cachedFields: cached))
            }
            var expunged: [UInt32: Int64] = [:]
            for _ in 0..<(try reader.varint(max: maxCount)) {
                expunged[try reader.littleEndian(UInt32.self)] = try reader.signedVarint()
            }
            return MailboxBundle(
                kind: kind, mailboxGUID: guid, previous: previous, sinceModSeq: since, uidValidity: uidValidity,
                uidNext: uidNext, highestModSeq: highestModSeq, createdAt: createdAt, keywords: keywords,
                messages: messages, expunged: expunged)
        }
    }

    static func encode(_ bundle: RootBundle) -> [UInt8] {
        var writer = header(kind: rootKind)
        writer.varint(UInt64(bundle.mailboxes.count))
        for mailbox in bundle.mailboxes {
            writer.string(mailbox.guid)
            writer.string(mailbox.name)
            writer.littleEndian(mailbox.uidValidity)
            writer.optionalString(mailbox.specialUse)
            writer.varint(mailbox.createdAt)
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
        return try decoding(name) { () throws(BinaryDecodingError) in
            guard try reader.byte() == rootKind else { throw .corrupt("not a root bundle") }
            var mailboxes: [RootBundle.Mailbox] = []
            for _ in 0..<(try reader.varint(max: maxCount)) {
                mailboxes.append(
                    RootBundle.Mailbox(
                        guid: try reader.string(), name: try reader.string(), uidValidity: try reader.littleEndian(UInt32.self),
                        specialUse: try reader.optionalString(), createdAt: try reader.signedVarint()))
            }
            var subscriptions: [String] = []
            for _ in 0..<(try reader.varint(max: maxCount)) { subscriptions.append(try reader.string()) }
            var state: [String: String] = [:]
            for _ in 0..<(try reader.varint(max: maxCount)) { state[try reader.string()] = try reader.string() }
            return RootBundle(mailboxes: mailboxes, subscriptions: subscriptions, state: state)
        }
    }

    /// Counts of messages, mailboxes and expunges: more than any mailbox holds, so a damaged count fails here
    /// instead of reserving memory for it.
    private static let maxCount = 50_000_000

    private static func header(kind: UInt8) -> BinaryWriter {
        var writer = BinaryWriter()
        magic.forEach { writer.byte($0) }
        writer.byte(version)
        writer.byte(kind)
        return writer
    }

    private static func seal(_ writer: BinaryWriter) -> [UInt8] {
        writer.bytes + Array(SHA256.hash(data: writer.bytes))
    }

    /// Checks magic, version and checksum; returns a reader positioned at the kind byte.
    private static func open(_ bytes: [UInt8], name: String) throws(BundleError) -> BinaryReader {
        guard bytes.count > magic.count + 1 + 32, Array(bytes.prefix(magic.count)) == magic else {
            throw .corrupt(name, "not an ObjectMail index bundle")
        }
        let body = bytes.prefix(bytes.count - 32)
        guard Array(SHA256.hash(data: body)) == Array(bytes.suffix(32)) else { throw .corrupt(name, "checksum mismatch") }
        guard bytes[magic.count] == version else { throw .unsupportedVersion(name, bytes[magic.count]) }
        return BinaryReader(Array(body), from: magic.count + 1)
    }

    /// A payload the reader finds damaged is a corrupt bundle, named.
    private static func decoding<T>(_ name: String, _ body: () throws(BinaryDecodingError) -> T) throws(BundleError) -> T {
        do {
            return try body()
        } catch {
            throw .corrupt(name, error.description)
        }
    }
}

public enum BundleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a bundle this build can read (bad magic, unknown version, checksum mismatch).
    case corrupt(String, String)
    case unsupportedVersion(String, UInt8)
    /// Another backend uploaded this user's index since this one last loaded or wrote it: merge first.
    case anotherWriter(String)

    public var description: String {
        switch self {
        case .corrupt(let what, let detail): return "index bundle \(what): corrupt: \(detail)"
        case .unsupportedVersion(let what, let version): return "index bundle \(what): unsupported format version \(version)"
        case .anotherWriter(let directory): return "index bundles \(directory): another backend uploaded since this one loaded the user"
        }
    }
}
