import Foundation
import Testing

@testable import Server

@Suite struct BinaryAppendConversionTests {
    @Test func binaryPartsBecomeBase64() {
        let content: [UInt8] = [0x00, 0x0A, 0x0D, 0xFF, 0x41]
        let message =
            Array(
                "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\nContent-transfer-encoding:\r\n binary\r\nX-Kept: yes\r\n\r\n"
                    .utf8)
            + content + Array("\r\n--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b--\r\n".utf8)
        let converted = String(decoding: BinaryAppendConversion.encodingBinaryParts(message), as: UTF8.self)
        #expect(
            converted == "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n"
                + "Content-Transfer-Encoding: base64\r\nX-Kept: yes\r\n\r\n" + Data(content).base64EncodedString()
                + "\r\n--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b--\r\n")
    }

    @Test func otherMessagesAreKeptAsSent() {
        let message = Array("Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\u{0}caf\u{e9}\r\n".utf8)
        #expect(BinaryAppendConversion.encodingBinaryParts(message) == message)
    }

    @Test func longBodiesAreWrappedAt76() {
        let body = [UInt8](repeating: 0, count: 100)
        let converted = BinaryAppendConversion.encodingBinaryParts(Array("Content-Transfer-Encoding: BINARY\n\n".utf8) + body)
        let text = String(decoding: converted, as: UTF8.self)
        #expect(text.hasPrefix("Content-Transfer-Encoding: base64\n\n"))
        #expect(text.split(separator: "\r\n").map(\.count).dropFirst().first == 60)
    }
}
