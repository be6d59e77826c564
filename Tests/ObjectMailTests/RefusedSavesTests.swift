import Foundation
import Logging
import MetaCache
import ObjectStore
import Testing

@testable import ObjectMail

/// A save answered with a failure never becomes mail later: not through a PUT that completes at the server after
/// the client was told it failed, not through objects left behind by a failed index write, and not through the
/// rescan of a later start.
@Suite struct RefusedSavesTests {
    /// A store whose PUTs reach the bucket but are answered with a timeout while `lateCompletions` is on: a
    /// stalled S3 server that finishes the request after the client gave up.
    final class LatePutStore: ObjectStore, @unchecked Sendable {
        let parent: any ObjectStore
        private let lock = NSLock()
        private var stalled = false
        private var deletesFailing = false
        var description: String { "late(\(parent.description))" }

        init(parent: any ObjectStore) { self.parent = parent }

        func stall(_ on: Bool) { lock.withLock { stalled = on } }
        func failDeletes(_ on: Bool) { lock.withLock { deletesFailing = on } }

        func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
            try await parent.put(key, body: body, options: options)
            if lock.withLock({ stalled }) { throw ObjectStoreError.unavailable(key: key, detail: "timed out", requestID: nil) }
        }
        func get(_ key: String, range: ByteRange?) async throws -> StoredObject { try await parent.get(key, range: range) }
        func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
            try await parent.download(key, to: path, range: range)
        }
        func stat(_ key: String) async throws -> ObjectInfo { try await parent.stat(key) }
        func delete(_ key: String) async throws { try await parent.delete(key) }
        func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
            if lock.withLock({ deletesFailing }) { throw ObjectStoreError.unavailable(key: keys.first ?? "", detail: "timed out", requestID: nil) }
            return try await parent.deleteMany(keys)
        }
        func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
            try await parent.copy(from: source, to: destination, metadata: metadata)
        }
        func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
            try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
        }
    }

    static let message = IncomingMessage(bytes: Array("Subject: refused\r\nMessage-ID: <r@x>\r\n\r\nbody\r\n".utf8))

    func scratch() throws -> (bucket: any ObjectStore, root: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("refused-\(UUID().uuidString)").path
        return (try PipelineRegistry.builtIn.makeStore("posix:\(root)/bucket"), root)
    }

    func mailObjects(_ bucket: any ObjectStore, _ user: MailUser, _ mailbox: Mailbox) async throws -> [String] {
        try await bucket.listAll(prefix: user.layout.mailboxPrefix(guid: mailbox.guid)).map(\.key).filter { !$0.contains("/idx/") }
    }

    @Test func aPutThatCompletesAfterItFailedIsNeverAdoptedAndIsDeleted() async throws {
        let (bucket, root) = try scratch()
        let late = LatePutStore(parent: bucket)
        let storage = RecoveryTests.backend(bucket: late, home: "\(root)/a")
        let user = try await storage.user("alice")
        let inbox = try await user.mailbox("INBOX")
        late.stall(true)
        late.failDeletes(true)
        await #expect(throws: StorageError.self) { _ = try await user.saveMessages([Self.message], to: inbox) }
        late.stall(false)
        // The object reached the bucket after all; the rescan of a restart (revalidation) must not adopt it.
        let report = try await user.revalidate(reason: "test")
        #expect(report.orphans.values.joined().count == 1)
        #expect(try await user.messages(.all, in: inbox).isEmpty)
        // The background deletion removes it once DELETEs go through; its key stays in the ledger until the
        // late-completion horizon.
        late.failDeletes(false)
        _ = await user.retireRefusedSaves()
        #expect(try await mailObjects(bucket, user, inbox).isEmpty)
        #expect(await user.refusedSaves.entries.count == 1)
        // A later process on the same metacache reads the ledger back.
        let home = user.layout.home
        #expect(RefusedSaves(home: home).entries.count == 1)
        // A save that succeeds is untouched by all this.
        _ = try await user.saveMessages([Self.message], to: inbox)
        #expect(try await user.messages(.all, in: inbox).count == 1)
    }

    @Test func objectsOfAFailedIndexWriteAreDeletedAndNeverAdopted() async throws {
        let (bucket, root) = try scratch()
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await storage.user("bob")
        let work = try await user.createMailbox("Work")
        try await user.deleteMailbox("Work")
        // The PUT succeeds, the index write fails (the mailbox is gone): the client is told the save failed.
        await #expect(throws: (any Error).self) { _ = try await user.saveMessages([Self.message], to: work) }
        #expect(await user.refusedSaves.entries.count == 1)
        _ = await user.retireRefusedSaves()
        #expect(try await bucket.listAll(prefix: user.layout.mailboxPrefix(guid: work.guid)).isEmpty)
        // Known to exist, the object is settled by its DELETE: the ledger is empty again, and so is its file.
        #expect(await user.refusedSaves.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: (user.layout.home as NSString).appendingPathComponent(RefusedSaves.fileName)))
        let report = try await user.revalidate(reason: "test")
        #expect(report.unknownMailboxGUIDs.isEmpty)
        #expect(try await user.listMailboxes().map(\.name.value) == ["INBOX"])
    }

    @Test func aDirectoryMarkerOrAnObjectWithoutMailMetadataIsNotAdopted() async throws {
        let (bucket, root) = try scratch()
        let storage = RecoveryTests.backend(bucket: bucket, home: "\(root)/a")
        let user = try await storage.user("carol")
        let inbox = try await user.mailbox("INBOX")
        let folder = user.layout.mailboxPrefix(guid: inbox.guid)
        try await bucket.put(folder + "stray", body: .bytes(Array("Subject: not ours\r\n\r\n".utf8)), options: PutOptions())
        _ = try await user.revalidate(reason: "test")
        #expect(try await user.messages(.all, in: inbox).isEmpty)
        #expect(try await user.listMailboxes().map(\.name.value) == ["INBOX"])
    }
}

/// A failing store or disk makes the upload loop back off instead of retrying (and warning) every second.
@Suite struct UploadBackoffTests {
    @Test func theDelayDoublesPerFailureUpToAMinute() {
        let second = Duration.seconds(1)
        #expect(IndexUploadScheduler.delay(after: 0, interval: second) == second)
        #expect(IndexUploadScheduler.delay(after: 1, interval: second) == .seconds(2))
        #expect(IndexUploadScheduler.delay(after: 3, interval: second) == .seconds(8))
        #expect(IndexUploadScheduler.delay(after: 40, interval: second) == .seconds(60))
        #expect(IndexUploadScheduler.delay(after: 2, interval: .milliseconds(20)) == .milliseconds(80))
    }
}
