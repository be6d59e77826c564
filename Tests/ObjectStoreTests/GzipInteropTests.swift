import Foundation
import ObjectStore
import StoreContract
import Testing

@Suite struct GzipInteropTests {
    let text = Array(String(repeating: "Received: from mx.example.com by objectmail; Sun, 22 Nov 2026\r\n", count: 500).utf8)

    @Test func readsWhatTheGzipCommandWrote() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        let plain = scratch.path + "/mail.txt"
        try Data(text).write(to: URL(fileURLWithPath: plain))
        try run("/bin/gzip", ["-6", plain])   // produces mail.txt.gz, removes mail.txt
        let compressed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        try await posix.put("mail", bytes: compressed)

        let store = CompressObjectStore(parent: posix, method: .gz, level: 6)
        let object = try await store.get("mail")
        #expect(object.body == text)
        #expect(object.info.size == Int64(text.count))
        #expect(try await store.get("mail", range: ByteRange(offset: 100, length: 50)).body == Array(text[100..<150]))
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
