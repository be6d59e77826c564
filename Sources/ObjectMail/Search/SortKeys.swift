import Foundation
import MIME

/// What SORT (RFC 5256/5957) and THREAD compare of one message, computed once from its cached fields:
/// at delivery, stored in the index row, so that a first SORT of a large mailbox reads these few
/// hundred bytes a row instead of decoding every envelope. They depend on the message alone, so a
/// COPY carries them.
struct SortKeys: Sendable, Equatable {
    /// The Date: header as seconds, or INTERNALDATE when there is none or it does not parse (RFC 5256).
    var sentDate: Int64
    var baseSubject: String
    var isReplyOrForward: Bool
    /// Folded addr-mailbox of the first address (RFC 5256 FROM/TO/CC).
    var from: String, to: String, cc: String
    /// Folded display name, else the address (RFC 5957).
    var displayFrom: String, displayTo: String
    var messageID: String?
    /// References, else the first In-Reply-To id (RFC 5256 REFERENCES threading).
    var references: [String]

    init(cached: CachedMessageFields?, internalDate: Int64) {
        let envelope = cached?.envelope ?? Envelope()
        sentDate = envelope.date.flatMap(RFC5322Date.parse)?.timestamp ?? internalDate
        let subject = (envelope.subject ?? cached?.header("subject")).map { EncodedWords.decode($0) } ?? ""
        (baseSubject, isReplyOrForward) = BaseSubject.extract(subject)
        from = Self.mailbox(envelope.from)
        to = Self.mailbox(envelope.to)
        cc = Self.mailbox(envelope.cc)
        displayFrom = Self.display(envelope.from)
        displayTo = Self.display(envelope.to)
        messageID = Self.messageIDs(envelope.messageID).first
        var references = Self.messageIDs(cached?.header("references"))
        if references.isEmpty { references = Self.messageIDs(envelope.inReplyTo).prefix(1).map { $0 } }
        self.references = references
    }

    /// The local part of the first address, folded (RFC 5256: "addr-mailbox").
    static func mailbox(_ addresses: [Address]?) -> String {
        guard let first = addresses?.first(where: { !$0.isGroupStart && !$0.isGroupEnd }),
              let mailbox = first.mailbox else { return "" }
        return UnicodeCasemap.fold(String(decoding: mailbox, as: UTF8.self))
    }

    /// RFC 5957: the display name, else the address.
    static func display(_ addresses: [Address]?) -> String {
        guard let first = addresses?.first(where: { !$0.isGroupStart && !$0.isGroupEnd }) else { return "" }
        if let name = first.decodedName, !name.isEmpty { return UnicodeCasemap.fold(name) }
        return UnicodeCasemap.fold(first.address ?? "")
    }

    /// `<id>` tokens of a Message-ID, In-Reply-To or References field.
    static func messageIDs(_ value: [UInt8]?) -> [String] {
        guard let value else { return [] }
        let text = String(decoding: value, as: UTF8.self)
        var ids: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }
}

// MARK: - The stored form

extension SortKeys {
    /// Bumped when what the keys mean changes (a fix to base-subject extraction, say): rows with
    /// another version are recomputed from their cached fields, as if they had none.
    static let formatVersion: UInt8 = 1

    private static let replyFlag: UInt8 = 1, messageIDFlag: UInt8 = 2

    func serialized() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(Self.formatVersion)
        writer.bytes.append((isReplyOrForward ? Self.replyFlag : 0) | (messageID != nil ? Self.messageIDFlag : 0))
        // Zig-zag, so that a date before 1970 is a short varint too.
        writer.varint(Int(bitPattern: UInt((sentDate << 1) ^ (sentDate >> 63))))
        for text in [baseSubject, from, to, cc, displayFrom, displayTo] { writer.string(text) }
        if let messageID { writer.string(messageID) }
        writer.varint(references.count)
        for reference in references { writer.string(reference) }
        return writer.bytes
    }

    /// nil for another format version or damaged bytes: the caller recomputes the keys.
    init?(serialized bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        do {
            guard try reader.byte() == Self.formatVersion else { return nil }
            let flags = try reader.byte()
            let zigzag = UInt64(try reader.varint(max: .max))
            sentDate = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            baseSubject = try reader.string()
            from = try reader.string()
            to = try reader.string()
            cc = try reader.string()
            displayFrom = try reader.string()
            displayTo = try reader.string()
            isReplyOrForward = flags & Self.replyFlag != 0
            messageID = flags & Self.messageIDFlag != 0 ? try reader.string() : nil
            let count = try reader.varint(max: bytes.count)
            var references: [String] = []
            references.reserveCapacity(count)
            for _ in 0..<count { references.append(try reader.string()) }
            self.references = references
            guard reader.atEnd else { return nil }
        } catch {
            return nil
        }
    }
}
