import Foundation
import ObjectStore
import StoreContract
import Testing

@Suite struct GzipInteropTests {
    let text = Array(String(repeating: "Received: from mx.example.com by objectmail; Sun, 22 Nov 2026\r\n", count: 3500).utf8)

    @Test func readsWhatTheGzipCommandWrote() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        let plain = scratch.path + "/mail.txt"
        try Data(text).write(to: URL(fileURLWithPath: plain))
        try run("/bin/gzip", ["-6", plain]) // produces mail.txt.gz, removes mail.txt
        let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        try await posix.put("mail", bytes: compressed)

        let store = CompressObjectStore(parent: posix, method: .gz, level: 6)
        let object = try await store.get("mail")
        #expect(object.body == text)
        #expect(object.info.size == Int64(text.count))
        #expect(try await store.get("mail", range: ByteRange(offset: 100, length: 50)).body == Array(text[100..<150]))
        // download decompresses in chunks from a file: whole, a range crossing 64 KiB chunks, and the end.
        let out = scratch.path + "/out"
        #expect(try await store.download("mail", to: out, range: nil).size == Int64(text.count))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == text)
        _ = try await store.download("mail", to: out, range: ByteRange(offset: 65_000, length: 2000))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == Array(text[65_000..<67_000]))
        _ = try await store.download("mail", to: out, range: ByteRange(offset: Int64(text.count) - 3, length: 100))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == Array(text.suffix(3)))
        await #expect(throws: ObjectStoreError.self) {
            try await store.download("mail", to: scratch.path + "/beyond", range: ByteRange(offset: Int64(text.count) + 5))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/beyond"))
    }

    @Test func theGzipCommandReadsWhatWeWrote() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        let store = CompressObjectStore(parent: posix, method: .gz, level: 9)
        try await store.put("mail", bytes: text)
        let stored = try await posix.get("mail").body
        #expect(stored.count < text.count / 10)
        let path = scratch.path + "/out.gz"
        try Data(stored).write(to: URL(fileURLWithPath: path))
        try run("/bin/gzip", ["-d", path])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out"))) == text)
        // stat reports the uncompressed size without downloading, and hides the bookkeeping entry.
        let info = try await store.stat("mail")
        #expect(info.size == Int64(text.count))
        #expect(info.metadata.isEmpty)
    }

    @Test func maybeGzPassesPlainObjectsAndGzRejectsThem() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        try await posix.put("plain", bytes: text)
        #expect(try await CompressObjectStore(parent: posix, method: .maybeGz, level: 6).get("plain").body == text)
        await #expect(throws: ObjectStoreError.self) {
            try await CompressObjectStore(parent: posix, method: .gz, level: 6).get("plain")
        }
        try await posix.put("truncated", bytes: Array(try gzipCompressed(text).prefix(100)))
        await #expect(throws: ObjectStoreError.self) {
            try await CompressObjectStore(parent: posix, method: .maybeGz, level: 6).get("truncated")
        }
        await #expect(throws: ObjectStoreError.self) {
            try await CompressObjectStore(parent: posix, method: .maybeGz, level: 6).download("truncated", to: scratch.path + "/t", range: nil)
        }
        #expect((try FileManager.default.contentsOfDirectory(atPath: scratch.path)).filter { $0 == "t" || $0.hasPrefix("t.") }.isEmpty)
        _ = try await CompressObjectStore(parent: posix, method: .maybeGz, level: 6).download(
            "plain", to: scratch.path + "/p", range: ByteRange(offset: 10, length: 5))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/p"))) == Array(text[10..<15]))
    }

    /// gzip output from the wrapper itself, read back raw from the parent.
    private func gzipCompressed(_ bytes: [UInt8]) async throws -> [UInt8] {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        try await CompressObjectStore(parent: posix, method: .gz, level: 6).put("x", bytes: bytes)
        return try await posix.get("x").body
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments) exited with \(process.terminationStatus)")
    }
}
