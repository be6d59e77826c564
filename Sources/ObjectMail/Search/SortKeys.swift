import Foundation
import MIME
import Primitives

/// What SORT (RFC 5256/5957) and THREAD compare of one message, computed once from its cached fields:
/// at delivery, stored in the index row, so that a first SORT of a large mailbox reads these few
/// hundred bytes a row instead of decoding every envelope. They depend on the message alone, so a
/// COPY carries them.
struct SortKeys: Sendable, Equatable {
    /// The Date: header as seconds, or INTERNALDATE when there is none or it does not parse (RFC 5256).
    var sentDate: Int64
    var baseSubject: String
    var isReplyOrForward: Bool
    /// RFC 5256 FROM/TO/CC: the addr-mailbox of the field's first address (a group's name when the field
    /// starts with a group), titlecased; "" when there is none.
    var from: String, to: String, cc: String
    /// RFC 5957 DISPLAYFROM/DISPLAYTO: the first address's decoded display name, else its addr-spec, titlecased.
    var displayFrom: String, displayTo: String
    var messageID: String?
    /// References, else the first In-Reply-To id (RFC 5256 REFERENCES threading).
    var references: [String]

    /// Everything but the sent date comes from the first occurrence of each field, with its encoded-words
    /// decoded before the addresses are read, as Dovecot does: the cached raw fields, not the envelope
    /// (which takes the last occurrence and was parsed by whatever build stored the message).
    init(cached: CachedMessageFields?, internalDate: Int64) {
        let envelope = cached?.envelope ?? Envelope()
        // RFC 5256: INTERNALDATE when the Date: header is missing or unreadable; a date of 1970-01-01T00:00Z
        // counts as missing too, as in Dovecot, which keeps 0 for "no date".
        let sent = envelope.date.flatMap(RFC5322Date.parse)?.timestamp ?? 0
        sentDate = sent != 0 ? sent : internalDate
        if let subject = cached?.header("subject") {
            (baseSubject, isReplyOrForward) = BaseSubject.extract(EncodedWords.decode(subject))
        } else {
            (baseSubject, isReplyOrForward) = ("", false)
        }
        let firstFrom = Self.firstAddress(cached?.header("from"))
        let firstTo = Self.firstAddress(cached?.header("to"))
        from = Self.mailbox(firstFrom)
        to = Self.mailbox(firstTo)
        cc = Self.mailbox(Self.firstAddress(cached?.header("cc")))
        displayFrom = Self.display(firstFrom)
        displayTo = Self.display(firstTo)
        messageID = Self.messageIDs(envelope.messageID).first
        var references = Self.messageIDs(cached?.header("references"))
        if references.isEmpty { references = Self.messageIDs(envelope.inReplyTo).prefix(1).map { $0 } }
        self.references = references
    }

    static func firstAddress(_ field: [UInt8]?) -> Address? {
        guard let field else { return nil }
        return AddressParser.parse(Array(EncodedWords.decode(field).utf8), limit: 1).first
    }

    static func mailbox(_ address: Address?) -> String {
        guard let mailbox = address?.mailbox else { return "" }
        return UnicodeCasemap.titlecaseKey(String(decoding: mailbox, as: UTF8.self))
    }

    static func display(_ address: Address?) -> String {
        guard let address else { return "" }
        if let name = address.decodedName, !name.isEmpty { return UnicodeCasemap.titlecaseKey(name) }
        guard let mailbox = address.mailbox else { return "" }
        var text = String(decoding: mailbox, as: UTF8.self)
        if let host = address.host { text += "@" + String(decoding: host, as: UTF8.self) }
        return UnicodeCasemap.titlecaseKey(text)
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
    /// 2: titlecased keys compared by octets, Dovecot's base-subject steps, addresses read from the raw
    /// fields (a group's name counts, a trailing comment is a display name).
    static let formatVersion: UInt8 = 2

    private static let replyFlag: UInt8 = 1, messageIDFlag: UInt8 = 2

    func serialized() -> [UInt8] {
        var writer = BinaryWriter()
        writer.byte(Self.formatVersion)
        writer.byte((isReplyOrForward ? Self.replyFlag : 0) | (messageID != nil ? Self.messageIDFlag : 0))
        // Zig-zag, so that a date before 1970 is a short varint too.
        writer.varint(UInt64(bitPattern: (sentDate << 1) ^ (sentDate >> 63)))
        for text in [baseSubject, from, to, cc, displayFrom, displayTo] { writer.string(text) }
        if let messageID { writer.string(messageID) }
        writer.varint(references.count)
        for reference in references { writer.string(reference) }
        return writer.bytes
    }

    /// nil for another format version or damaged bytes: the caller recomputes the keys.
    init?(serialized bytes: [UInt8]) {
        var reader = BinaryReader(bytes)
        do {
            guard try reader.byte() == Self.formatVersion else { return nil }
            let flags = try reader.byte()
            let zigzag = try reader.varint()
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
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
    }
}
