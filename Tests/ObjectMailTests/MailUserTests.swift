import Foundation
import Logging
import MailModel
import MetaCache
import ObjectStore
import StoreContract
import Testing

@testable import ObjectMail

/// A storage over a posix store in a temporary directory.
func makeStorage(mailboxes: [ConfiguredMailbox] = []) throws -> (MailStorage, CountingStore, String) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mailstore-\(UUID().uuidString)").path
    let store = CountingStore(parent: try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects"))
    let configuration = StorageConfiguration(prefixTemplate: "%8Mu/%u", homeTemplate: "\(root)/home/%2Mu/%u", mailboxes: mailboxes)
    let storage = MailStorage(configuration: configuration, logger: Logger(label: "test")) { _ in store }
    return (storage, store, root)
}

@Suite struct MailUserTests {
    @Test func loginCreatesInboxAndConfiguredMailboxes() async throws {
        let (storage, _, _) = try makeStorage(mailboxes: [
            ConfiguredMailbox(name: try MailboxName("Sent"), specialUse: "\\Sent", auto: .subscribe),
            ConfiguredMailbox(name: try MailboxName("Trash"), specialUse: "\\Trash", auto: .create),
            ConfiguredMailbox(name: try MailboxName("Archive"), specialUse: "\\Archive", auto: .no)
        ])
        let user = try await storage.user("alice@example.com")
        let sameUser = try await storage.user("alice@example.com")
        #expect(user === sameUser)
        let listing = try await user.listMailboxes()
        #expect(listing.map(\.name.value) == ["INBOX", "Sent", "Trash"])
        #expect(listing.map(\.subscribed) == [true, true, false])
        #expect(listing.map(\.specialUse) == [nil, "\\Sent", "\\Trash"])
        try await user.createMailbox("Archive")
        #expect(try await user.listMailboxes().first { $0.name.value == "Archive" }?.specialUse == "\\Archive")
    }

    @Test func impliedParentsAndDeleteSemantics() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("bob")
        try await user.createMailbox("a/b/c")
        try await user.createMailbox("x/")
        var listing = try await user.listMailboxes()
        #expect(listing.map(\.name.value) == ["INBOX", "a", "a/b", "a/b/c", "x"])
        #expect(listing.filter { !$0.exists }.map(\.name.value) == ["a", "a/b"])
        #expect(listing.first { $0.name.value == "a" }?.hasChildren == true)
        #expect(listing.first { $0.name.value == "a/b/c" }?.hasChildren == false)

        await #expect(throws: StorageError.notAllowed(user: "bob", mailbox: "a", reason: "Name has inferior hierarchical names")) {
            try await user.deleteMailbox("a")
        }
        await #expect(throws: StorageError.notAllowed(user: "bob", mailbox: "INBOX", reason: "INBOX can't be deleted")) {
            try await user.deleteMailbox("inbox")
        }
        await #expect(throws: StorageError.mailboxNotFound(user: "bob", mailbox: "nope")) { try await user.deleteMailbox("nope") }
        await #expect(throws: StorageError.mailboxExists(user: "bob", mailbox: "x")) { try await user.createMailbox("x") }
        await #expect(throws: StorageError.self) { try await user.createMailbox("bad//name") }

        // Deleting a mailbox with children leaves its name as their \Noselect parent (RFC 3501 DELETE).
        try await user.createMailbox("a")
        try await user.deleteMailbox("a")
        listing = try await user.listMailboxes()
        #expect(listing.first { $0.name.value == "a" }?.exists == false)
        #expect(listing.contains { $0.name.value == "a/b/c" && $0.exists })
    }

    @Test func renameMovesChildrenAndInboxRenameEmptiesInbox() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("carol")
        try await user.createMailbox("Work")
        try await user.createMailbox("Work/Old")
        let oldGUID = try await user.mailbox("Work/Old").guid
        try await user.renameMailbox("Work", to: "Jobs")
        #expect(try await user.mailbox("Jobs/Old").guid == oldGUID)
        await #expect(throws: StorageError.self) { try await user.renameMailbox("Jobs", to: "Jobs/Inner") }
        await #expect(throws: StorageError.mailboxExists(user: "carol", mailbox: "Jobs")) { try await user.renameMailbox("INBOX", to: "Jobs") }

        let inbox = try await user.mailbox("INBOX")
        try await saveRaw(user: user, store: store, mailbox: inbox, count: 2)
        try await user.renameMailbox("INBOX", to: "Old Inbox")
        #expect(try await user.messageStates(in: try await user.mailbox("INBOX")).isEmpty)
        #expect(try await user.messageStates(in: try await user.mailbox("Old Inbox")).count == 2)
    }

    @Test func expungeDeletesUnreferencedObjectsFromTheStore() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("dave")
        let inbox = try await user.mailbox("INBOX")
        let archive = try await user.createMailbox("Archive")
        let keys = try await saveRaw(user: user, store: store, mailbox: inbox, count: 3)
        _ = try await user.copyMessages(UIDSet([1]), from: inbox, to: archive)
        let (moved, _) = try await user.moveMessages(UIDSet([2]), from: inbox, to: archive)
        #expect(moved.destinationUIDs == [2])

        let result = try await user.expungeMessages(.all, in: inbox)
        #expect(result.expungedUIDs == [1, 3])
        #expect(result.result.releasedObjects == [keys[2]])
        await #expect(throws: ObjectStoreError.self) { _ = try await store.stat(user.layout.bucketKey(keys[2])) }
        _ = try await store.stat(user.layout.bucketKey(keys[0]))
        _ = try await store.stat(user.layout.bucketKey(keys[1]))

        try await user.deleteMailbox("Archive")
        for key in keys {
            await #expect(throws: ObjectStoreError.self) { _ = try await store.stat(user.layout.bucketKey(key)) }
        }
    }
}

/// Puts raw objects and index rows directly (the save path with MIME parsing comes later).
@discardableResult
func saveRaw(user: MailUser, store: any ObjectStore, mailbox: Mailbox, count: Int) async throws -> [String] {
    var keys: [String] = []
    for n in 0..<count {
        let key = UserLayout.messageKey(mailboxGUID: mailbox.guid, objectID: UniqueID.make())
        try await store.put(user.layout.bucketKey(key), bytes: Array("Subject: \(n)\r\n\r\nbody\r\n".utf8))
        _ = try await user.index.appendMessages(
            [
                NewMessage(
                    guid: UniqueID.make(), objectKey: key, size: 20, virtualSize: 20,
                    internalDate: 0, saveDate: 0, cachedFields: Data())
            ],
            toMailbox: mailbox.id.value)
        keys.append(key)
    }
    return keys
}
