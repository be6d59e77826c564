import Foundation
import NIOCore

/// Writes a message as a POP3 multi-line response (RFC 1939 §3): CRLF line ends, a `.` doubled at
/// the start of a line, and the terminating `.CRLF`. Line ends are normalised as the index's
/// virtual size counts them, so RETR sends exactly the octets LIST announced (plus dot-stuffing,
/// which RFC 1939 leaves out of the count). A message not ending in a line end gets one before the
/// terminator, as Dovecot does.
struct POP3MessageWriter: Sendable {
    /// `outlook-no-nuls`: NUL becomes 0x80.
    var replaceNULs = false
    /// `oe-ns-eoh`: a message that is all header gets the blank line ending it.
    var addMissingHeaderEnd = false

    private static let lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"), dot = UInt8(ascii: ".")
    static let crlf: [UInt8] = [13, 10]
    static let terminator: [UInt8] = [46, 13, 10]

    init(workarounds: Set<POP3Configuration.ClientWorkaround> = []) {
        replaceNULs = workarounds.contains(.outlookNoNuls)
        addMissingHeaderEnd = workarounds.contains(.oeNsEoh)
    }

    /// RETR (`bodyLines` nil) or TOP (the header, the blank line and `bodyLines` lines of the body).
    /// Returns the octets of the message written (what LIST announces): dot-stuffing, the terminator
    /// and line ends added by it or by `oe-ns-eoh` excluded.
    @discardableResult
    func write(_ message: [UInt8], bodyLines: Int? = nil, into buffer: inout ByteBuffer) -> Int {
        buffer.reserveCapacity(minimumWritableBytes: message.count + message.count / 32 + 8)
        let startIndex = buffer.writerIndex
        var stuffed = 0
        var added = 0
        message.withUnsafeBufferPointer { bytes in
            var inHeader = true
            var remainingBodyLines = bodyLines ?? Int.max
            var index = 0
            while index < bytes.count {
                if !inHeader && remainingBodyLines <= 0 { break }
                var lineEnd = index
                while lineEnd < bytes.count && bytes[lineEnd] != Self.lineFeed { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > index && lineEnd < bytes.count && bytes[contentEnd - 1] == Self.carriageReturn { contentEnd -= 1 }
                if bytes[index] == Self.dot {
                    buffer.writeInteger(Self.dot)
                    stuffed += 1
                }
                let line = UnsafeBufferPointer(rebasing: bytes[index..<contentEnd])
                if replaceNULs && line.contains(0) {
                    buffer.writeBytes(line.map { $0 == 0 ? 0x80 : $0 })
                } else {
                    buffer.writeBytes(line)
                }
                buffer.writeBytes(Self.crlf)
                // A last line without its line end gets one; it belongs to the terminator, not the message.
                if lineEnd == bytes.count { added += 2 }
                if inHeader {
                    if contentEnd == index { inHeader = false }
                } else {
                    remainingBodyLines -= 1
                }
                index = lineEnd + 1
            }
            if inHeader && addMissingHeaderEnd {
                buffer.writeBytes(Self.crlf)
                added += 2
            }
        }
        let written = buffer.writerIndex - startIndex - stuffed - added
        buffer.writeBytes(Self.terminator)
        return written
    }

    /// The header of a stored message (up to and including the blank line), for UIDL `%m` and X-UIDL.
    static func header(of message: [UInt8]) -> ArraySlice<UInt8> {
        var index = 0
        while index < message.count {
            var lineEnd = index
            while lineEnd < message.count && message[lineEnd] != lineFeed { lineEnd += 1 }
            let empty = lineEnd == index || (lineEnd == index + 1 && message[index] == carriageReturn)
            index = lineEnd + 1
            if empty { break }
        }
        return message[..<min(index, message.count)]
    }

    /// The value of an `X-UIDL:` header field, if the header has a usable one (RFC 1939: 1–70
    /// characters 0x21–0x7E).
    static func xUIDL(in header: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: header, as: UTF8.self)
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard line.count > 7, line.prefix(7).lowercased() == "x-uidl:" else { continue }
            let value = line.dropFirst(7).trimmingCharacters(in: .whitespaces)
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
            return value
        }
        return nil
    }
}
