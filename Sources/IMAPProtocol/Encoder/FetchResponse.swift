import MIME
import NIOCore
import Primitives

/// One item of a `* n FETCH (…)` answer. ENVELOPE and BODYSTRUCTURE are the MIME parser's values, written here;
/// bodies are raw bytes written as literals.
public enum FetchItem: Sendable, Equatable {
    case uid(UInt32)
    case flags([String])
    case internalDate(IMAPDateTime)
    case rfc822Size(UInt64)
    case modSeq(UInt64)
    /// nil when the message's structure is not known: NIL.
    case envelope(Envelope?)
    /// `extensible` picks BODYSTRUCTURE over BODY.
    case bodyStructure(MessageStructure, extensible: Bool)
    /// `BODY[section]<origin> data`; `origin` is the partial offset when one was asked for; nil data is NIL.
    case bodySection(SectionSpec, origin: UInt32?, data: ByteBuffer?)
    /// `BINARY[part]<origin>`: a `~{n}` literal when the data holds NUL, else a normal literal.
    case binary(part: [UInt32], origin: UInt32?, data: ByteBuffer?)
    case binarySize(part: [UInt32], UInt64)
    case rfc822(ByteBuffer?)
    case rfc822Header(ByteBuffer?)
    case rfc822Text(ByteBuffer?)
    /// nil when the mailbox keeps no save date (RFC 8514 says NIL).
    case saveDate(IMAPDateTime?)
    /// nil when a lazy preview is not available yet.
    case preview(String?)
    /// `SNIPPET (FUZZY "text")` or `PREVIEW (FUZZY "text")`, Dovecot 2.3's draft forms; nil is `(FUZZY NIL)`.
    case fuzzyPreview(FuzzyPreviewName, String?)
    case emailID(String)
    case threadID(String?)
}

extension IMAPResponseEncoder {
    /// `* 12 FETCH (UID 34 FLAGS (\Seen))`
    public func writeFetch(sequence: SequenceNumber, _ items: [FetchItem], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("* ")
        buffer.writeDecimal(sequence.rawValue)
        buffer.writeStaticString(" FETCH (")
        for (position, item) in items.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            writeFetchItem(item, into: &buffer)
        }
        buffer.writeStaticString(")\r\n")
    }

    private func writeFetchItem(_ item: FetchItem, into buffer: inout ByteBuffer) {
        switch item {
        case .uid(let uid):
            buffer.writeStaticString("UID ")
            buffer.writeDecimal(uid)
        case .flags(let flags):
            buffer.writeStaticString("FLAGS ")
            writeFlagList(flags, into: &buffer)
        case .internalDate(let date):
            buffer.writeStaticString("INTERNALDATE ")
            writeDateTime(date, into: &buffer)
        case .rfc822Size(let size):
            buffer.writeStaticString("RFC822.SIZE ")
            buffer.writeDecimal(size)
        case .modSeq(let modSeq):
            buffer.writeStaticString("MODSEQ (")
            buffer.writeDecimal(modSeq)
            buffer.writeInteger(UInt8(ascii: ")"))
        case .envelope(let envelope):
            buffer.writeStaticString("ENVELOPE ")
            if let envelope { writeEnvelope(envelope, into: &buffer) } else { buffer.writeStaticString("NIL") }
        case .bodyStructure(let structure, let extensible):
            buffer.writeStaticString(extensible ? "BODYSTRUCTURE " : "BODY ")
            writeBodyStructure(structure, extensible: extensible, into: &buffer)
        case .bodySection(let section, let origin, let data):
            buffer.writeStaticString("BODY")
            writeSection(section, into: &buffer)
            writeOrigin(origin, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeBody(data, binary: false, into: &buffer)
        case .binary(let part, let origin, let data):
            buffer.writeStaticString("BINARY[")
            writePart(part, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "]"))
            writeOrigin(origin, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeBody(data, binary: data?.readableBytesView.contains(0) ?? false, into: &buffer)
        case .binarySize(let part, let size):
            buffer.writeStaticString("BINARY.SIZE[")
            writePart(part, into: &buffer)
            buffer.writeStaticString("] ")
            buffer.writeDecimal(size)
        case .rfc822(let data):
            buffer.writeStaticString("RFC822 ")
            writeBody(data, binary: false, into: &buffer)
        case .rfc822Header(let data):
            buffer.writeStaticString("RFC822.HEADER ")
            writeBody(data, binary: false, into: &buffer)
        case .rfc822Text(let data):
            buffer.writeStaticString("RFC822.TEXT ")
            writeBody(data, binary: false, into: &buffer)
        case .saveDate(let date):
            buffer.writeStaticString("SAVEDATE ")
            if let date { writeDateTime(date, into: &buffer) } else { buffer.writeStaticString("NIL") }
        case .preview(let text):
            buffer.writeStaticString("PREVIEW ")
            writeNString(text, into: &buffer)
        case .fuzzyPreview(let name, let text):
            buffer.writeString(name.rawValue)
            buffer.writeStaticString(" (FUZZY ")
            writeNString(text, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        case .emailID(let id):
            buffer.writeStaticString("EMAILID (")
            buffer.writeString(id)
            buffer.writeInteger(UInt8(ascii: ")"))
        case .threadID(let id):
            buffer.writeStaticString("THREADID ")
            if let id {
                buffer.writeInteger(UInt8(ascii: "("))
                buffer.writeString(id)
                buffer.writeInteger(UInt8(ascii: ")"))
            } else {
                buffer.writeStaticString("NIL")
            }
        }
    }

    /// A `{n}` literal may not hold NUL (RFC 3501 §4.3, CHAR8); a message APPENDed as a `~{n}` literal
    /// (RFC 3516) may. Outside BINARY each NUL goes out as 0x80, as Dovecot sends it: the size stays, and a client
    /// that stops reading a string at NUL still gets the content.
    private func writeBody(_ data: ByteBuffer?, binary: Bool, into buffer: inout ByteBuffer) {
        guard let data else {
            buffer.writeStaticString("NIL")
            return
        }
        writeLiteralHeader(length: data.readableBytes, binary: binary, into: &buffer)
        if binary || !data.readableBytesView.contains(0) {
            buffer.writeImmutableBuffer(data)
        } else {
            buffer.writeBytes(data.readableBytesView.lazy.map { $0 == 0 ? 0x80 : $0 })
        }
    }

    private func writeOrigin(_ origin: UInt32?, into buffer: inout ByteBuffer) {
        guard let origin else { return }
        buffer.writeInteger(UInt8(ascii: "<"))
        buffer.writeDecimal(origin)
        buffer.writeInteger(UInt8(ascii: ">"))
    }

    private func writePart(_ part: [UInt32], into buffer: inout ByteBuffer) {
        for (position, number) in part.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeDecimal(number)
        }
    }

    /// `[1.2.HEADER.FIELDS (FROM TO)]` as the client asked for it.
    public func writeSection(_ section: SectionSpec, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "["))
        writePart(section.part, into: &buffer)
        if !section.part.isEmpty && section.kind != .complete { buffer.writeInteger(UInt8(ascii: ".")) }
        switch section.kind {
        case .complete: break
        case .header: buffer.writeStaticString("HEADER")
        case .text: buffer.writeStaticString("TEXT")
        case .mime: buffer.writeStaticString("MIME")
        case .headerFields(let names), .headerFieldsNot(let names):
            if case .headerFields = section.kind {
                buffer.writeStaticString("HEADER.FIELDS (")
            } else {
                buffer.writeStaticString("HEADER.FIELDS.NOT (")
            }
            for (position, name) in names.enumerated() {
                if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                writeAString(name, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// `"17-Jul-1996 02:44:25 -0700"`
    public func writeDateTime(_ value: IMAPDateTime, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        writeTwoDigits(value.date.day, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "-"))
        buffer.writeString(CivilDate.monthAbbreviations[value.date.month - 1])
        buffer.writeInteger(UInt8(ascii: "-"))
        writeTwoDigits(value.date.year / 100, into: &buffer)
        writeTwoDigits(value.date.year % 100, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeTwoDigits(value.hour, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeTwoDigits(value.minute, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ":"))
        writeTwoDigits(value.second, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeInteger(UInt8(ascii: value.zoneMinutes < 0 ? "-" : "+"))
        let zone = abs(value.zoneMinutes)
        writeTwoDigits(zone / 60, into: &buffer)
        writeTwoDigits(zone % 60, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private func writeTwoDigits(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(value / 10 % 10) + 0x30)
        buffer.writeInteger(UInt8(value % 10) + 0x30)
    }
}
