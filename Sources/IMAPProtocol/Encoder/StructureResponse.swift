import MIME
import NIOCore

/// ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from the values the MIME parser found,
/// written with the encoder's string rules, in Dovecot's forms.
extension IMAPResponseEncoder {
    /// `(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to message-id)`.
    public func writeEnvelope(_ envelope: Envelope, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "("))
        writeNString(bytes: envelope.date, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeHumanString(envelope.subject, into: &buffer)
        for list in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] {
            buffer.writeInteger(UInt8(ascii: " "))
            writeAddresses(list, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: envelope.inReplyTo, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: envelope.messageID, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    private func writeAddresses(_ list: [Address]?, into buffer: inout ByteBuffer) {
        guard let list, !list.isEmpty else {
            buffer.writeStaticString("NIL")
            return
        }
        buffer.writeInteger(UInt8(ascii: "("))
        for address in list {
            buffer.writeInteger(UInt8(ascii: "("))
            writeHumanString(address.name, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeNString(bytes: address.route, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeNString(bytes: address.mailbox, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeNString(bytes: address.host, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// BODYSTRUCTURE (`extensible`) or BODY of the whole message. Iterative: the nesting is bounded by the
    /// parser's limit, but an explicit stack keeps any cached structure safe too.
    public func writeBodyStructure(_ structure: MessageStructure, extensible: Bool, into buffer: inout ByteBuffer) {
        enum Step {
            case open(Int)
            case closeMultipart(Int)
            case closeMessage(Int)
        }
        var stack: [Step] = [.open(0)]
        while let step = stack.popLast() {
            switch step {
            case .open(let index):
                let part = structure.parts[index]
                switch part.kind {
                case .multipart:
                    buffer.writeInteger(UInt8(ascii: "("))
                    stack.append(.closeMultipart(index))
                    // A multipart needs at least one body: show an empty text part, as Dovecot does.
                    if part.children.isEmpty { writeEmptyTextPart(extensible: extensible, into: &buffer) }
                    for child in part.children.reversed() { stack.append(.open(child)) }
                case .message:
                    writeSinglePartFields(part, into: &buffer)
                    buffer.writeInteger(UInt8(ascii: " "))
                    writeEnvelope(part.children.first.flatMap { structure.parts[$0].envelope } ?? Envelope(), into: &buffer)
                    buffer.writeInteger(UInt8(ascii: " "))
                    stack.append(.closeMessage(index))
                    if let child = part.children.first {
                        stack.append(.open(child))
                    } else {
                        writeEmptyTextPart(extensible: extensible, into: &buffer)
                    }
                case .leaf:
                    writeSinglePartFields(part, into: &buffer)
                    if part.typeIs("text") { writeNumber(part.bodyLines, into: &buffer) }
                    if extensible { writeSinglePartExtension(part, into: &buffer) }
                    buffer.writeInteger(UInt8(ascii: ")"))
                }
            case .closeMultipart(let index):
                let part = structure.parts[index]
                buffer.writeInteger(UInt8(ascii: " "))
                writeString(part.subtype, into: &buffer)
                if extensible {
                    buffer.writeInteger(UInt8(ascii: " "))
                    writeParameters(part.parameters, into: &buffer)
                    writeDispositionLanguageLocation(part, into: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: ")"))
            case .closeMessage(let index):
                let part = structure.parts[index]
                writeNumber(part.bodyLines, into: &buffer)
                if extensible { writeSinglePartExtension(part, into: &buffer) }
                buffer.writeInteger(UInt8(ascii: ")"))
            }
        }
    }

    /// ` n`
    private func writeNumber(_ value: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeDecimal(UInt64(max(0, value)))
    }

    private func writeEmptyTextPart(extensible: Bool, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0")
        if extensible { buffer.writeStaticString(" NIL NIL NIL NIL") }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// `("type" "subtype" params id description encoding size` (the part's opening parenthesis included).
    private func writeSinglePartFields(_ part: MIMEPart, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "("))
        writeString(part.type, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeString(part.subtype, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        var parameters = part.parameters
        if part.typeIs("text") && !parameters.contains(where: { $0.baseName == "charset" }) {
            parameters.append(MIMEParameter(name: Array("charset".utf8), value: Array("us-ascii".utf8))) // last, as Dovecot
        }
        writeParameters(parameters, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: part.id, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: part.description, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeString(part.encoding ?? Array("7bit".utf8), into: &buffer)
        writeNumber(part.virtualBodySize, into: &buffer)
    }

    private func writeSinglePartExtension(_ part: MIMEPart, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: part.md5, into: &buffer)
        writeDispositionLanguageLocation(part, into: &buffer)
    }

    /// The extension fields multipart and single-part bodies share: ` disposition language location`.
    private func writeDispositionLanguageLocation(_ part: MIMEPart, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: " "))
        if let disposition = part.disposition {
            buffer.writeInteger(UInt8(ascii: "("))
            writeString(disposition, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeParameters(part.dispositionParameters, into: &buffer)
            buffer.writeInteger(UInt8(ascii: ")"))
        } else {
            buffer.writeStaticString("NIL")
        }
        buffer.writeInteger(UInt8(ascii: " "))
        // Always a list, as Dovecot writes it (RFC 3501 allows a single string too).
        if let tags = part.language, !tags.isEmpty {
            buffer.writeInteger(UInt8(ascii: "("))
            for (position, tag) in tags.enumerated() {
                if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                writeString(tag, into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: ")"))
        } else {
            buffer.writeStaticString("NIL")
        }
        buffer.writeInteger(UInt8(ascii: " "))
        writeNString(bytes: part.location, into: &buffer)
    }

    private func writeParameters(_ parameters: [MIMEParameter], into buffer: inout ByteBuffer) {
        guard !parameters.isEmpty else {
            buffer.writeStaticString("NIL")
            return
        }
        buffer.writeInteger(UInt8(ascii: "("))
        for (position, parameter) in parameters.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            writeString(parameter.name, into: &buffer)
            buffer.writeInteger(UInt8(ascii: " "))
            writeString(parameter.value, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: ")"))
    }
}
