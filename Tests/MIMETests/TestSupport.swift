import Foundation
import IMAPProtocol
import MIME
import NIOCore

enum Corpus {
    static func load(_ name: String) throws -> [UInt8] {
        guard let dir = Bundle.module.resourceURL?.appendingPathComponent("Corpus") else {
            throw IMAPGrammarError(description: "no resource bundle")
        }
        return Array(try Data(contentsOf: dir.appendingPathComponent(name)))
    }

    static func all() throws -> [(String, [UInt8])] {
        guard let dir = Bundle.module.resourceURL?.appendingPathComponent("Corpus") else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { ($0, try load($0)) }
    }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}

func crlf(_ s: String) -> [UInt8] { Array(s.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

/// ENVELOPE, BODYSTRUCTURE and BODY as a FETCH writes them (IMAPProtocol's writer, a session without UTF8=ACCEPT):
/// the form in which the parser's results are compared with Dovecot's answers.
extension MessageStructure {
    func renderedEnvelope() -> [UInt8] {
        var buffer = ByteBuffer()
        IMAPResponseEncoder().writeEnvelope(envelope, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    func renderedBodyStructure(extensible: Bool) -> [UInt8] {
        var buffer = ByteBuffer()
        IMAPResponseEncoder().writeBodyStructure(self, extensible: extensible, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

extension MIMEMessage {
    func renderedEnvelope() -> [UInt8] { structure.renderedEnvelope() }
    func renderedBodyStructure(extensible: Bool) -> [UInt8] { structure.renderedBodyStructure(extensible: extensible) }
}
