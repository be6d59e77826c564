import Foundation
import ObjectMail
import ObjectStore
import Testing

@Suite struct SpoolFileTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "spool-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theFileIsPrivateAndGoneFromTheDirectoryAtOnceYetReadableThroughItsPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try SpoolFile.create(in: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        try spool.append(Array("Subject: x\r\n\r\n".utf8))
        try spool.append([UInt8](repeating: 0x41, count: 300_000))
        #expect(spool.size == 300_014)
        var info = stat()
        #expect(fstat(spool.descriptor, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let data = try #require(FileManager.default.contents(atPath: spool.path))
        #expect(data.count == 300_014)
        #expect(try spool.read(count: 10, at: 0) == Array("Subject: x".utf8))
        #expect(try spool.withMappedBytes { $0.count } == 300_014)
        #expect(try spool.readAll().count == 300_014)
    }

    @Test func aPrefixedCopyHasTheHeaderThenTheBody() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try SpoolFile.create(in: directory)
        let body = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try spool.append(body)
        let copy = try spool.copy(prefixedWith: Array("Delivered-To: a\r\n".utf8))
        #expect(try copy.readAll() == Array("Delivered-To: a\r\n".utf8) + body)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aMissingDirectoryIsATemporaryStoreError() async throws {
        #expect {
            _ = try SpoolFile.create(in: "/nonexistent-\(UUID().uuidString)")
        } throws: { error in
            (error as? ObjectStoreError)?.isTemporary == true
        }
    }

    @Test func asyncAppendsRunOnTheIOPool() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await SpoolFile.create(in: directory)
        for _ in 0..<4 { try await spool.appendAsync([UInt8](repeating: 1, count: 65_536)) }
        #expect(spool.size == 262_144)
    }
}
