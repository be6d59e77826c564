import NIOCore

/// Writes server responses into a `ByteBuffer`. One per session: `utf8Accept` follows `ENABLE UTF8=ACCEPT`.
public struct IMAPResponseEncoder: Sendable {
    /// Mailbox names go out as raw UTF-8 (RFC 6855) instead of modified UTF-7, and quoted strings may carry UTF-8.
    public var utf8Accept: Bool

    public init(utf8Accept: Bool = false) {
        self.utf8Accept = utf8Accept
    }

    // MARK: Status responses

    /// `tag OK [CODE] text` (or NO/BAD).
    public func writeTagged(
        _ tag: String, _ status: ResponseStatus, code: ResponseCode? = nil, _ text: String,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeString(tag)
        buffer.writeInteger(UInt8(ascii: " "))
        writeStatusBody(status, code: code, text, into: &buffer)
    }

    /// `* OK [CODE] text`, `* BYE …`, `* PREAUTH …`.
    public func writeUntagged(_ status: ResponseStatus, code: ResponseCode? = nil, _ text: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* ")
        writeStatusBody(status, code: code, text, into: &buffer)
    }

    /// `+ text` — the continuation request for literals, IDLE and AUTHENTICATE (base64 challenges go as text).
    public func writeContinuation(_ text: String = "OK", into buffer: inout ByteBuffer) {
        buffer.writeStaticString("+ ")
        writeText(text, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    private func writeStatusBody(_ status: ResponseStatus, code: ResponseCode?, _ text: String, into buffer: inout ByteBuffer) {
        buffer.writeString(status.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        if let code {
            buffer.writeInteger(UInt8(ascii: "["))
            writeCode(code, into: &buffer)
            buffer.writeStaticString("] ")
        }
        writeText(text, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// Human-readable text must not break the line: CR and LF become spaces.
    private func writeText(_ text: String, into buffer: inout ByteBuffer) {
        if text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            buffer.writeBytes(text.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 })
        } else {
            buffer.writeString(text)
        }
    }

    public func writeCode(_ code: ResponseCode, into buffer: inout ByteBuffer) {
        buffer.writeString(code.atom)
        switch code {
        case .capability(let capabilities):
            for capability in capabilities {
                buffer.writeInteger(UInt8(ascii: " "))
                buffer.writeString(capability)
            }
        case .permanentFlags(let flags):
            buffer.writeInteger(UInt8(ascii: " "))
            writeFlagList(flags, into: &buffer)
        case .badCharset(let charsets):
            guard !charsets.isEmpty else { return }
            buffer.writeStaticString(" (")
            for (position, charset) in charsets.enumerated() {
                if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                writeAString(charset, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        case .uidNext(let value), .uidValidity(let value), .unseen(let value):
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(value)
        case .highestModSeq(let value):
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(value)
        case .appendLimit(let value):
            guard let value else { return }
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(value)
        case .appendUID(let uidValidity, let uids):
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(uidValidity)
            buffer.writeInteger(UInt8(ascii: " "))
            SequenceSetFormatter.write(uids, into: &buffer)
        case .copyUID(let uidValidity, let source, let destination):
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(uidValidity)
            buffer.writeInteger(UInt8(ascii: " "))
            SequenceSetFormatter.write(source, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            SequenceSetFormatter.write(destination, into: &buffer)
        case .modified(let ranges):
            buffer.writeInteger(UInt8(ascii: " "))
            SequenceSetFormatter.write(ranges, into: &buffer)
        case .other(_, let text):
            guard let text else { return }
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeBytes(text.utf8.filter { $0 != 0x0D && $0 != 0x0A && $0 != UInt8(ascii: "]") })
        default:
            break
        }
    }

    // MARK: Simple untagged data

    public func writeCapability(_ capabilities: [String], into buffer: inout ByteBuffer) {
        writeAtoms("* CAPABILITY", capabilities, into: &buffer)
    }

    public func writeEnabled(_ capabilities: [String], into buffer: inout ByteBuffer) {
        writeAtoms("* ENABLED", capabilities, into: &buffer)
    }

    private func writeAtoms(_ prefix: StaticString, _ atoms: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString(prefix)
        for atom in atoms {
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeString(atom)
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* FLAGS (\Answered …)`
    public func writeFlags(_ flags: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* FLAGS ")
        writeFlagList(flags, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    public func writeExists(_ count: UInt32, into buffer: inout ByteBuffer) { writeNumbered(count, " EXISTS\r\n", into: &buffer) }

    public func writeRecent(_ count: UInt32, into buffer: inout ByteBuffer) { writeNumbered(count, " RECENT\r\n", into: &buffer) }

    public func writeExpunge(_ sequence: SequenceNumber, into buffer: inout ByteBuffer) {
        writeNumbered(sequence.rawValue, " EXPUNGE\r\n", into: &buffer)
    }

    private func writeNumbered(_ number: UInt32, _ suffix: StaticString, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* ")
        buffer.writeDecimal(number)
        buffer.writeStaticString(suffix)
    }

    /// `* VANISHED (EARLIER) 1:3,5` (RFC 7162).
    public func writeVanished(_ uids: [ClosedRange<UInt32>], earlier: Bool, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(earlier ? "* VANISHED (EARLIER) " : "* VANISHED ")
        SequenceSetFormatter.write(uids, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// `* SEARCH 2 3 6 (MODSEQ 917162500)` — or `* SORT …` with `keyword` "SORT".
    public func writeSearch(
        _ numbers: [UInt32], highestModSeq: UInt64? = nil, keyword: StaticString = "SEARCH",
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString("* ")
        buffer.writeStaticString(keyword)
        for number in numbers {
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(number)
        }
        if let highestModSeq, !numbers.isEmpty {
            buffer.writeStaticString(" (MODSEQ ")
            buffer.writeDecimal(highestModSeq)
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeStaticString("\r\n")
    }

    public func writeESearch(_ response: ESearchResponse, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* ESEARCH")
        if let tag = response.tag {
            buffer.writeStaticString(" (TAG ")
            writeQuoted(Array(tag.utf8), into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        if response.uid { buffer.writeStaticString(" UID") }
        if let min = response.min {
            buffer.writeStaticString(" MIN ")
            buffer.writeDecimal(min)
        }
        if let max = response.max {
            buffer.writeStaticString(" MAX ")
            buffer.writeDecimal(max)
        }
        if let count = response.count {
            buffer.writeStaticString(" COUNT ")
            buffer.writeDecimal(count)
        }
        if let all = response.all, !all.isEmpty {
            buffer.writeStaticString(" ALL ")
            SequenceSetFormatter.write(all, into: &buffer)
        }
        if let partial = response.partial {
            buffer.writeStaticString(" PARTIAL (")
            buffer.writeDecimal(partial.range.lowerBound)
            buffer.writeInteger(UInt8(ascii: ":"))
            buffer.writeDecimal(partial.range.upperBound)
            buffer.writeInteger(UInt8(ascii: " "))
            if partial.messages.isEmpty {
                buffer.writeStaticString("NIL")
            } else {
                SequenceSetFormatter.write(partial.messages, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        if let modSeq = response.modSeq {
            buffer.writeStaticString(" MODSEQ ")
            buffer.writeDecimal(modSeq)
        }
        for update in response.updates {
            buffer.writeStaticString(update.added ? " ADDTO (" : " REMOVEFROM (")
            buffer.writeDecimal(update.position)
            buffer.writeInteger(UInt8(ascii: " "))
            SequenceSetFormatter.write(update.messages, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* THREAD (2)(3 6 (4 23)(44 7 96))` (RFC 5256).
    public func writeThread(_ threads: [ThreadNode], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* THREAD")
        if !threads.isEmpty { buffer.writeInteger(UInt8(ascii: " ")) }
        for thread in threads { writeThreadNode(thread, into: &buffer) }
        buffer.writeStaticString("\r\n")
    }

    private func writeThreadNode(_ node: ThreadNode, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "("))
        var current = node
        var first = true
        // A chain of only children is written flat; siblings each get parentheses.
        while true {
            if let message = current.message {
                if !first { buffer.writeInteger(UInt8(ascii: " ")) }
                buffer.writeDecimal(message)
                first = false
            }
            if current.children.count == 1 {
                current = current.children[0]
                continue
            }
            if !current.children.isEmpty && !first { buffer.writeInteger(UInt8(ascii: " ")) }
            for child in current.children { writeThreadNode(child, into: &buffer) }
            break
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    public func writeID(_ parameters: [IDParameter]?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* ID ")
        if let parameters, !parameters.isEmpty {
            buffer.writeInteger(UInt8(ascii: "("))
            for (position, parameter) in parameters.enumerated() {
                if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                writeString(Array(parameter.key.utf8), into: &buffer)
                buffer.writeInteger(UInt8(ascii: " "))
                writeNString(parameter.value, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        } else {
            buffer.writeStaticString("NIL")
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* QUOTA "root" (STORAGE 10 512)`; usage and limit in the resource's unit (KiB for STORAGE).
    public func writeQuota(root: String, _ resources: [(name: String, usage: UInt64, limit: UInt64)], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* QUOTA ")
        writeAString(root, into: &buffer)
        buffer.writeStaticString(" (")
        for (position, resource) in resources.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeString(resource.name)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(resource.usage)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(resource.limit)
        }
        buffer.writeStaticString(")\r\n")
    }

    public func writeQuotaRoot(mailbox: String, roots: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* QUOTAROOT ")
        writeMailbox(mailbox, into: &buffer)
        for root in roots {
            buffer.writeInteger(UInt8(ascii: " "))
            writeAString(root, into: &buffer)
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* NAMESPACE (("" "/")) NIL NIL` — personal, other users' and shared namespaces; an empty group is NIL.
    public func writeNamespace(
        personal: [NamespaceDescription], otherUsers: [NamespaceDescription],
        shared: [NamespaceDescription], into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString("* NAMESPACE")
        for group in [personal, otherUsers, shared] {
            buffer.writeInteger(UInt8(ascii: " "))
            guard !group.isEmpty else {
                buffer.writeStaticString("NIL")
                continue
            }
            buffer.writeInteger(UInt8(ascii: "("))
            for namespace in group {
                buffer.writeInteger(UInt8(ascii: "("))
                let prefix = utf8Accept ? namespace.prefix : ModifiedUTF7.encode(namespace.prefix)
                writeString(Array(prefix.utf8), into: &buffer)
                buffer.writeInteger(UInt8(ascii: " "))
                if let delimiter = namespace.delimiter {
                    writeString(Array(String(delimiter).utf8), into: &buffer)
                } else {
                    buffer.writeStaticString("NIL")
                }
                buffer.writeInteger(UInt8(ascii: ")"))
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* METADATA "INBOX" (/private/comment "text")` (RFC 5464); values go out as strings or NIL.
    public func writeMetadata(mailbox: String, _ entries: [MetadataEntry], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* METADATA ")
        writeMailbox(mailbox, into: &buffer)
        buffer.writeStaticString(" (")
        for (position, entry) in entries.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            writeAString(entry.name, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            if let value = entry.value {
                writeString(Array(value.readableBytesView), into: &buffer)
            } else {
                buffer.writeStaticString("NIL")
            }
        }
        buffer.writeStaticString(")\r\n")
    }

    // MARK: Mailboxes

    /// `* LIST (\HasNoChildren) "/" "Sent Items" ("CHILDINFO" ("SUBSCRIBED"))` — or LSUB.
    public func writeList(_ entry: ListEntry, lsub: Bool = false, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(lsub ? "* LSUB (" : "* LIST (")
        for (position, attribute) in entry.attributes.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeString(attribute)
        }
        buffer.writeStaticString(") ")
        if let delimiter = entry.delimiter {
            writeQuoted(Array(String(delimiter).utf8), into: &buffer)
        } else {
            buffer.writeStaticString("NIL")
        }
        buffer.writeInteger(UInt8(ascii: " "))
        writeMailbox(entry.name, into: &buffer)
        if !entry.childInfo.isEmpty || entry.oldName != nil {
            buffer.writeStaticString(" (")
            var first = true
            if !entry.childInfo.isEmpty {
                buffer.writeStaticString("\"CHILDINFO\" (")
                for (position, info) in entry.childInfo.enumerated() {
                    if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                    writeQuoted(Array(info.utf8), into: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: ")"))
                first = false
            }
            if let oldName = entry.oldName {
                if !first { buffer.writeInteger(UInt8(ascii: " ")) }
                buffer.writeStaticString("\"OLDNAME\" (")
                writeMailbox(oldName, into: &buffer)
                buffer.writeInteger(UInt8(ascii: ")"))
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeStaticString("\r\n")
    }

    /// `* STATUS "name" (MESSAGES 3 UIDNEXT 9)`
    public func writeStatus(mailbox: String, _ items: [(StatusAttribute, UInt64)], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* STATUS ")
        writeMailbox(mailbox, into: &buffer)
        buffer.writeStaticString(" (")
        for (position, item) in items.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeString(item.0.rawValue)
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeDecimal(item.1)
        }
        buffer.writeStaticString(")\r\n")
    }

    /// A mailbox name as an astring, encoded to modified UTF-7 unless UTF8=ACCEPT is on.
    public func writeMailbox(_ name: String, into buffer: inout ByteBuffer) {
        if utf8Accept || ModifiedUTF7.isPlainASCII(name) {
            writeAString(name, into: &buffer)
        } else {
            writeAString(ModifiedUTF7.encode(name), into: &buffer)
        }
    }

    // MARK: Strings

    /// `(\Seen $Forwarded)`
    public func writeFlagList(_ flags: [String], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "("))
        for (position, flag) in flags.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            buffer.writeString(flag)
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// An atom when every byte is an atom character (and it is not `NIL`), else a quoted string or literal.
    public func writeAString(_ text: String, into buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        if !utf8.isEmpty, utf8.allSatisfy(ByteCursor.isAtomChar), !(utf8.count == 3 && text.uppercased() == "NIL") {
            buffer.writeString(text)
        } else {
            writeString(Array(utf8), into: &buffer)
        }
    }

    public func writeNString(_ text: String?, into buffer: inout ByteBuffer) {
        writeNString(bytes: text.map { Array($0.utf8) }, into: &buffer)
    }

    public func writeNString(bytes: [UInt8]?, into buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeStaticString("NIL")
            return
        }
        writeString(bytes, into: &buffer)
    }

    /// The longest string written quoted: a longer one goes as a literal, so that one value never makes a line
    /// of unbounded length.
    public static let quotedLimit = 1024

    /// Every string the server writes (RFC 9051 §4.3, as Dovecot's imap_append_string): quoted when the text is at
    /// most `quotedLimit` bytes without CR, LF or NUL, and 7-bit (valid UTF-8 too once UTF8=ACCEPT is on), with
    /// `"` and `\` escaped; otherwise a literal. NUL may appear in neither (CHAR8 excludes it): it goes out as
    /// 0x80, as Dovecot sends it, so the length stays and a client that stops reading at NUL still gets the text.
    public func writeString(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        var eightBit = false
        var lineBreak = false
        var nul = false
        for byte in bytes {
            switch byte {
            case 0: nul = true
            case 0x0D, 0x0A: lineBreak = true
            case 0x80...: eightBit = true
            default: break
            }
        }
        if !nul, !lineBreak, bytes.count <= Self.quotedLimit, !eightBit || quotableUTF8(bytes) {
            writeQuoted(bytes, into: &buffer)
        } else {
            writeLiteralHeader(length: bytes.count, into: &buffer)
            if nul {
                buffer.writeBytes(bytes.lazy.map { $0 == 0 ? 0x80 : $0 })
            } else {
                buffer.writeBytes(bytes)
            }
        }
    }

    /// Subjects and display names, cleaned up for reading as Dovecot 2.3 does (imap_append_string_for_humans):
    /// TAB, CR and LF become spaces, runs of blanks collapse to one, leading and trailing blanks go, NUL becomes
    /// U+FFFD. Text that needed any of that, or holds `"` or `\`, goes as a literal, text that was only blanks as
    /// `""`, the rest as `writeString` would: Dovecot's forms, which strict clients compare byte for byte.
    public func writeHumanString(_ text: [UInt8]?, into buffer: inout ByteBuffer) {
        guard let text else {
            buffer.writeStaticString("NIL")
            return
        }
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(text.count)
        var lastBlank = true
        var changed = false
        var quoteSpecial = false
        for byte in text {
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A:
                if byte != 0x20 || lastBlank { changed = true }
                if !lastBlank { cleaned.append(0x20) }
                lastBlank = true
            case 0:
                cleaned += [0xEF, 0xBF, 0xBD]
                changed = true
                lastBlank = false
            default:
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoteSpecial = true }
                cleaned.append(byte)
                lastBlank = false
            }
        }
        if cleaned.last == 0x20 {
            cleaned.removeLast()
            changed = true
        }
        if cleaned.isEmpty {
            buffer.writeStaticString("\"\"")
        } else if changed || quoteSpecial {
            writeLiteralHeader(length: cleaned.count, into: &buffer)
            buffer.writeBytes(cleaned)
        } else {
            writeString(cleaned, into: &buffer)
        }
    }

    /// 8-bit text may be quoted only as UTF-8 the client asked for.
    private func quotableUTF8(_ bytes: [UInt8]) -> Bool {
        utf8Accept && String(validating: bytes, as: UTF8.self) != nil
    }

    private func writeQuoted(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.writeInteger(UInt8(ascii: "\\")) }
            buffer.writeInteger(byte)
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// `{n}\r\n` (or `~{n}\r\n` for binary data): lets a caller stream a large body after it.
    public func writeLiteralHeader(length: Int, binary: Bool = false, into buffer: inout ByteBuffer) {
        if binary { buffer.writeInteger(UInt8(ascii: "~")) }
        buffer.writeInteger(UInt8(ascii: "{"))
        buffer.writeDecimal(UInt64(length))
        buffer.writeStaticString("}\r\n")
    }
}

/// One namespace of a NAMESPACE answer (RFC 2342).
public struct NamespaceDescription: Sendable, Equatable {
    public var prefix: String
    public var delimiter: Character?

    public init(prefix: String, delimiter: Character?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}

/// One line of a LIST or LSUB answer.
public struct ListEntry: Sendable, Equatable {
    /// `\HasNoChildren`, `\Sent`, `\Subscribed` …
    public var attributes: [String]
    public var delimiter: Character?
    /// The UTF-8 name; the encoder applies modified UTF-7.
    public var name: String
    /// LIST-EXTENDED CHILDINFO (e.g. `SUBSCRIBED` with RECURSIVEMATCH).
    public var childInfo: [String]
    /// RFC 9051 OLDNAME after a RENAME.
    public var oldName: String?

    public init(attributes: [String], delimiter: Character?, name: String, childInfo: [String] = [], oldName: String? = nil) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.childInfo = childInfo
        self.oldName = oldName
    }
}

/// An ESEARCH answer (RFC 4731); nil fields are left out.
public struct ESearchResponse: Sendable, Equatable {
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var count: UInt32?
    public var all: [ClosedRange<UInt32>]?
    public var modSeq: UInt64?
    /// CONTEXT=SEARCH (RFC 5267) updates of a search or sort result the client keeps open.
    public var updates: [ESearchContextUpdate]
    /// RFC 5267 §4.4: the requested range and the results in it (`NIL` when none).
    public var partial: ESearchPartial?

    public init(
        tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, count: UInt32? = nil,
        all: [ClosedRange<UInt32>]? = nil, modSeq: UInt64? = nil, updates: [ESearchContextUpdate] = [],
        partial: ESearchPartial? = nil
    ) {
        self.updates = updates
        self.partial = partial
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.count = count
        self.all = all
        self.modSeq = modSeq
    }
}

/// `PARTIAL (m:n set)`: the range as requested and the message numbers or UIDs found in it.
public struct ESearchPartial: Sendable, Equatable {
    public var range: ClosedRange<UInt32>
    public var messages: [ClosedRange<UInt32>]

    public init(range: ClosedRange<UInt32>, messages: [ClosedRange<UInt32>]) {
        self.range = range
        self.messages = messages
    }
}

/// `ADDTO (position set)` or `REMOVEFROM (position set)`; position 0 for unsorted searches.
public struct ESearchContextUpdate: Sendable, Equatable {
    public var added: Bool
    public var position: UInt32
    public var messages: [ClosedRange<UInt32>]

    public init(added: Bool, position: UInt32, messages: [ClosedRange<UInt32>]) {
        self.added = added
        self.position = position
        self.messages = messages
    }
}

/// A THREAD tree node; `message` is nil for a dummy parent (a missing message several replies refer to).
public struct ThreadNode: Sendable, Equatable {
    public var message: UInt32?
    public var children: [ThreadNode]

    public init(message: UInt32?, children: [ThreadNode] = []) {
        self.message = message
        self.children = children
    }
}
