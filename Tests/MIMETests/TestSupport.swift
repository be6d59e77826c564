import Foundation
import MIME

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
