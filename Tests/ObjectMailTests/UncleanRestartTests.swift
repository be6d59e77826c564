import Foundation
import MailModel
import MetaCache
import ObjectStore
import StoreContract
import Testing

@testable import ObjectMail

/// A backend that died (no clean shutdown) revalidates its local index before use; a user idle
/// longer than metacache_close_delay is checked for another backend's uploads; 404s; space limit.
@Suite struct UncleanRestartTests {
    let recovery = RecoveryTests()

    func guids(_ user: MailUser, _ name: String = "INBOX") async throws -> [UInt32: String] {
        Dictionary(uniqueKeysWithValues: try await user.messages(.all, in: try await user.mailbox(name)).map { ($0.uid, $0.guid) })
    }

    @Test func restartAfterACrashMergesWhatAnotherBackendDidMeanwhile() async throws {
        let (bucket, root) = try recovery.scratch()
        var first: MailUser? = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/a").user("erin")
        let inbox = try await first!.mailbox("INBOX")
        _ = try await first!.saveMessages((1...20).map(RecoveryTests.mail), to: inbox)
        try await first!.flush()
        // Not uploaded when the process dies: 5 more mails, an expunge, a flag change.
        _ = try await first!.saveMessages((21...25).map(RecoveryTests.mail), to: inbox)
        _ = try await first!.expungeMessages(UIDSet([1, 2]), in: inbox)
        _ = try await first!.storeFlags(FlagChange(.add, flags: [.flagged]), on: UIDSet([3]), in: inbox)
        let before = try await guids(first!)
        first = nil // killed: no flush, the dirty marker stays
        #expect(FileManager.default.fileExists(atPath: "\(root)/a/erin/objectmail.dirty"))

        // Meanwhile another backend serves the user: it adopts the 5 mails and saves 3 of its own.
        let other = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/b").user("erin")
        let otherInbox = try await other.mailbox("INBOX")
        _ = try await other.saveMessages((26...28).map(RecoveryTests.mail), to: otherInbox)
        try await other.flush()
        let theirs = try await guids(other)

        let restarted = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/a").user("erin")
        let merged = try await guids(restarted)
        #expect(Set(merged.values) == Set(before.values).union(theirs.values))
        #expect(merged.count == 26)
        for (uid, guid) in before where uid <= 20 { #expect(merged[uid] == guid) }
        #expect(try await restarted.messageStates(in: try await restarted.mailbox("INBOX")).first { $0.uid == 3 }?.flags == .flagged)
        for row in try await restarted.messages(.all, in: try await restarted.mailbox("INBOX")) {
            #expect(try await restarted.body(of: row).count == Int(row.size))
        }
    }

    @Test func aCleanShutdownIsTrustedWithoutRescan() async throws {
        let (bucket, root) = try recovery.scratch()
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await storage.user("fred")
        _ = try await user.saveMessages([RecoveryTests.mail(1)], to: try await user.mailbox("INBOX"))
        await storage.shutdown()
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a/fred/objectmail.dirty"))
        let lists = bucket.count("list")
        _ = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/a").user("fred")
        // One LIST of the root bundles (did another backend upload?), no rescan.
        #expect(bucket.count("list") - lists == 1)
    }

    @Test func anIdleUserIsCheckedForAnotherBackendsUploads() async throws {
        let (bucket, root) = try recovery.scratch()
        let settings = MetacacheSettings(closeDelay: .milliseconds(300))
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a", metacache: settings)
        let mine = try await storage.user("gina")
        _ = try await mine.saveMessages([RecoveryTests.mail(1)], to: try await mine.mailbox("INBOX"))
        try await mine.flush()
        let other = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/b").user("gina")
        _ = try await other.saveMessages([RecoveryTests.mail(2)], to: try await other.mailbox("INBOX"))
        try await other.flush()

        // Accessed within the close delay: trusted locally, no request.
        _ = try await storage.user("gina")
        let lists = bucket.count("list")
        _ = try await storage.user("gina")
        #expect(bucket.count("list") == lists)
        try await Task.sleep(for: .milliseconds(400))
        let again = try await storage.user("gina")
        #expect(try await guids(again).count == 2)
    }

    @Test func autofixDropsAMissingObjectOnlyWhenEnabled() async throws {
        for autofix in [false, true] {
            let (bucket, root) = try recovery.scratch()
            let user = try await RecoveryTests.backend(bucket: bucket, home: "\(root)/a", metacache: MetacacheSettings(autofixStorage: autofix))
                .user("hank")
            let inbox = try await user.mailbox("INBOX")
            _ = try await user.saveMessages((1...3).map(RecoveryTests.mail), to: inbox)
            let lost = try #require(try await user.messages(UIDSet([2]), in: inbox).first)
            try await bucket.delete(user.layout.bucketKey(lost.objectKey))
            await #expect(throws: StorageError.store(user: "hank", StoreFailure(.notFound(key: user.layout.bucketKey(lost.objectKey))))) {
                try await user.body(of: lost)
            }
            #expect(try await user.messages(.all, in: inbox).map(\.uid) == (autofix ? [1, 3] : [1, 2, 3]))
        }
    }

    @Test func leastRecentlyUsedUsersAreEvictedAboveMaxSpace() async throws {
        let (bucket, root) = try recovery.scratch()
        let settings = MetacacheSettings(closeDelay: .zero, maxSpace: 1, maxGrace: 1 << 40)
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a", metacache: settings)
        do {
            let ivy = try await storage.user("ivy")
            _ = try await ivy.saveMessages([RecoveryTests.mail(1)], to: try await ivy.mailbox("INBOX"))
        }
        _ = try await storage.user("jack")
        // ivy was flushed to the bucket and removed from local disk; she loads again from the bucket.
        #expect(!FileManager.default.fileExists(atPath: "\(root)/a/ivy/\(UserIndex.fileName)"))
        #expect(try await guids(try await storage.user("ivy")).count == 1)

        // With no grace and every user in use, a new login is refused with a clear error.
        let strict = RecoveryTests.backend(bucket: bucket, home: "\(root)/c", metacache: MetacacheSettings(maxSpace: 1, maxGrace: 0))
        let held = try await strict.user("kim")
        await #expect(throws: StorageError.self) { try await strict.user("lou") }
        _ = held
    }
}
