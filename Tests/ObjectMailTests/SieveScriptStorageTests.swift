import Foundation
import Testing

@testable import ObjectMail

/// A user's personal Sieve scripts live in the bucket: texts as objects named by their hash, names and the active
/// marker in the index bundle, so another backend with an empty metacache sees the same scripts.
@Suite struct SieveScriptStorageTests {
    @Test func putActivateListGetDelete() async throws {
        let (bucket, root) = try RecoveryTests().scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(named: "main", text: "keep;\n")
        try await user.putSieveScript(named: "other", text: "discard;\n")
        #expect(try await user.sieveScripts() == [SieveScriptEntry(name: "main", active: false), SieveScriptEntry(name: "other", active: false)])
        #expect(try await user.activeSieveScript() == nil)
        try await user.activateSieveScript(named: "main")
        #expect(try await user.activeSieveScript()?.text == "keep;\n")
        await #expect(throws: SieveStorageError.scriptNotFound("none")) { try await user.activateSieveScript(named: "none") }
        await #expect(throws: SieveStorageError.scriptActive("main")) { try await user.deleteSieveScript(named: "main", evenIfActive: false) }
        await #expect(throws: SieveStorageError.invalidName("a/b")) { try await user.putSieveScript(named: "a/b", text: "keep;") }
        // Replacing a script's text replaces its object; the old one goes once nothing refers to it.
        try await user.putSieveScript(named: "main", text: "stop;\n")
        #expect(try await user.sieveScript(named: "main") == "stop;\n")
        let objects = try await bucket.listAll(prefix: "").map(\.key).filter { $0.contains("/sieve/") }
        #expect(objects.count == 2)
        try await user.deleteSieveScript(named: "main", evenIfActive: true)
        #expect(try await user.activeSieveScript() == nil)
        #expect(try await user.sieveScripts() == [SieveScriptEntry(name: "other", active: false)])
        await storage.shutdown()
    }

    @Test func anotherBackendWithAnEmptyMetacacheRunsTheSameActiveScript() async throws {
        let (bucket, root) = try RecoveryTests().scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await first.user("jane@example.com")
        try await user.putSieveScript(named: "main", text: "require \"fileinto\";\nfileinto \"Lists\";\n")
        try await user.activateSieveScript(named: "main")
        await first.shutdown()

        let second = RecoveryTests.backend(bucket: bucket, home: "\(root)/b")
        let again = try await second.user("jane@example.com")
        let active = try #require(try await again.activeSieveScript())
        #expect(active.name == "main" && active.text.contains("fileinto \"Lists\""))
        // A change on the second backend reaches the first one's index when it revalidates.
        try await again.deactivateSieveScripts()
        await second.shutdown()
        let third = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let back = try await third.user("jane@example.com")
        _ = try await back.revalidate(reason: "test")
        #expect(try await back.activeSieveScript() == nil)
        #expect(try await back.sieveScripts() == [SieveScriptEntry(name: "main", active: false)])
        await third.shutdown()
    }

    @Test func duplicateEntriesExpireAndAreBounded() async throws {
        let (bucket, root) = try RecoveryTests().scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await storage.user("jane@example.com")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await user.markSieveDuplicates([("a", 60), ("b", 3600)], now: now)
        #expect(try await user.sieveDuplicates(now: now) == [MailUser.sieveDuplicateHash("a"), MailUser.sieveDuplicateHash("b")])
        #expect(try await user.sieveDuplicates(now: now.addingTimeInterval(120)) == [MailUser.sieveDuplicateHash("b")])
        let many = (0..<(MailUser.maxSieveDuplicates + 5)).map { ("id\($0)", 7200 + $0) }
        try await user.markSieveDuplicates(many, now: now)
        let kept = try await user.sieveDuplicates(now: now)
        #expect(kept.count == MailUser.maxSieveDuplicates && !kept.contains(MailUser.sieveDuplicateHash("a")))
        #expect(kept.contains(MailUser.sieveDuplicateHash("id\(MailUser.maxSieveDuplicates + 4)")))
        await storage.shutdown()
    }
}
