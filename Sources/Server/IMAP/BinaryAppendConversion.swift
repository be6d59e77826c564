import Foundation
import MIME

/// A message APPENDed as a `~{n}` literal (RFC 3516) may hold parts with `Content-Transfer-Encoding: binary`: raw
/// bytes (NUL, bare CR and LF) that no `{n}` literal of a BODY answer can carry, and that line-ending handling would
/// corrupt. As Dovecot does, such parts are stored base64-encoded (their header says so); BINARY[part] decodes them
/// back to the exact bytes sent, BODY[part] and BODYSTRUCTURE show the 7-bit form.
enum BinaryAppendConversion {
    /// `message` with every leaf part whose Content-Transfer-Encoding is `binary` re-encoded as base64; the bytes as
    /// they are when there is none.
    static func encodingBinaryParts(_ message: [UInt8]) -> [UInt8] {
        let structure = MessageStructure.parse(message)
        let binaryParts = structure.leafParts().map { structure.parts[$0] }
            .filter { $0.encoding.map { String(decoding: $0, as: UTF8.self).lowercased() == "binary" } ?? false }
        guard !binaryParts.isEmpty else { return message }
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 3)
        var position = 0
        for part in binaryParts.sorted(by: { $0.headerStart < $1.headerStart }) where part.headerStart >= position {
            output += message[position..<part.headerStart]
            output += headerSayingBase64(message[part.headerStart..<part.bodyStart])
            output += base64Lines(message[part.bodyStart..<part.end])
            position = part.end
        }
        output += message[position...]
        return output
    }

    /// The part's header with its Content-Transfer-Encoding field (and any continuation lines) replaced by
    /// `Content-Transfer-Encoding: base64`, in the header's own line ending.
    static func headerSayingBase64(_ header: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var replacing = false
        var lineStart = header.startIndex
        while lineStart < header.endIndex {
            let lineEnd = header[lineStart...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? header.endIndex
            let line = header[lineStart..<lineEnd]
            let continuation = line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
            if !continuation { replacing = false }
            if !continuation && startsWithField(line, "content-transfer-encoding:") {
                replacing = true
                let crlf = line.count >= 2 && line[line.endIndex - 2] == UInt8(ascii: "\r")
                output += Array("Content-Transfer-Encoding: base64".utf8) + (crlf ? [0x0D, 0x0A] : [0x0A])
            } else if !replacing {
                output += line
            }
            lineStart = lineEnd
        }
        return output
    }

    private static func startsWithField(_ line: ArraySlice<UInt8>, _ name: String) -> Bool {
        let name = Array(name.utf8)
        guard line.count >= name.count else { return false }
        return zip(line.prefix(name.count), name).allSatisfy { pair in
            (pair.0 >= 0x41 && pair.0 <= 0x5A ? pair.0 + 0x20 : pair.0) == pair.1
        }
    }

    /// Base64 in lines of 76 characters separated by CRLF (RFC 2045 §6.8), without a line ending after the last.
    static func base64Lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(Data(bytes).base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]))
    }
}
