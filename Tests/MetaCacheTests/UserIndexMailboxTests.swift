import Foundation
import MailModel
import Testing

@testable import MetaCache

@Suite struct UserIndexMailboxTests {
    @Test func createListRenameWithChildren() async throws {
        let (index, _) = try makeIndex()
        _ = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 100)
        _ = try await index.createMailbox(name: "Work", guid: "g1", uidValidity: 101)
        _ = try await index.createMailbox(name: "Work/2025", guid: "g2", uidValidity: 102)
        _ = try await index.createMailbox(name: "Workshop", guid: "g3", uidValidity: 103)
        await #expect(throws: IndexError.mailboxExists(user: "user@example.com", mailbox: "Work")) {
            _ = try await index.createMailbox(name: "Work", guid: "g9", uidValidity: 1)
        }
        try await index.renameMailbox("Work", to: "Archive/Work")
        let names = try await index.mailboxes().map(\.name)
        #expect(names == ["Archive/Work", "Archive/Work/2025", "INBOX", "Workshop"])
        let renamed = try #require(try await index.mailbox(named: "Archive/Work/2025"))
        #expect(renamed.guid == "g2" && renamed.uidValidity == 102)
        await #expect(throws: IndexError.mailboxExists(user: "user@example.com", mailbox: "INBOX")) {
            try await index.renameMailbox("Workshop", to: "INBOX")
        }
        await #expect(throws: IndexError.mailboxNotFound(user: "user@example.com", mailbox: "Nope")) {
            try await index.renameMailbox("Nope", to: "Other")
        }
    }

    @Test func likeWildcardsInNamesAreLiteral() async throws {
        let (index, _) = try makeIndex()
        _ = try await index.createMailbox(name: "a_b", guid: "g1", uidValidity: 1)
        _ = try await index.createMailbox(name: "a_b/c", guid: "g2", uidValidity: 1)
        _ = try await index.createMailbox(name: "axb/c", guid: "g3", uidValidity: 1)
        try await index.renameMailbox("a_b", to: "z")
        #expect(try await index.mailboxes().map(\.name) == ["axb/c", "z", "z/c"])
    }

    @Test func deleteReleasesOnlyUnsharedObjects() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1)
        let trash = try await index.createMailbox(name: "Trash", guid: "g1", uidValidity: 2)
        _ = try await index.appendMessages([newMessage(1), newMessage(2)], toMailbox: trash.id)
        _ = try await index.copyMessages(UIDSet([1]), from: trash.id, to: inbox.id)
        let released = try await index.deleteMailbox(named: "Trash")
        #expect(released == [newMessage(2).objectKey])
        #expect(try await index.pendingObjectDeletes() == [newMessage(2).objectKey])
        #expect(try await index.referenceCount(of: newMessage(1).objectKey) == 1)
        index.objectsDeleted(released)
        #expect(try await index.pendingObjectDeletes().isEmpty)
        #expect(try await index.mailbox(named: "Trash") == nil)
    }

    @Test func confirmedDeletesAreWrittenByTheNextWrite() async throws {
        let (index, directory) = try makeIndex()
        let trash = try await index.createMailbox(name: "Trash", guid: "g1", uidValidity: 2).id
        _ = try await index.appendMessages([newMessage(1), newMessage(2)], toMailbox: trash)
        let released = try await index.deleteMailbox(named: "Trash").sorted()
        #expect(released.count == 2)
        index.objectsDeleted([released[0]])
        // Still in the file until a write: a process starting on this index now would delete it again.
        #expect(try await UserIndex(user: index.user, directory: directory).pendingObjectDeletes() == released)
        #expect(try await index.pendingObjectDeletes() == [released[1]])
        try await index.setSubscribed("INBOX", true)
        #expect(try await UserIndex(user: index.user, directory: directory).pendingObjectDeletes() == [released[1]])
        index.objectsDeleted([released[1]])
        try await index.writeConfirmedDeletes()
        #expect(try await UserIndex(user: index.user, directory: directory).pendingObjectDeletes().isEmpty)
    }

    @Test func subscriptionsAreNames() async throws {
        let (index, _) = try makeIndex()
        try await index.setSubscribed("Lists/swift", true)
        try await index.setSubscribed("INBOX", true)
        try await index.setSubscribed("INBOX", true)
        #expect(try await index.subscriptions() == ["INBOX", "Lists/swift"])
        try await index.setSubscribed("Lists/swift", false)
        #expect(try await index.subscriptions() == ["INBOX"])
    }

    @Test func survivesReopening() async throws {
        let (index, directory) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 7)
        _ = try await index.appendMessages([newMessage(1)], toMailbox: inbox.id)
        try await index.setState("clean-shutdown", "yes")
        let reopened = try UserIndex(user: "user@example.com", directory: directory)
        let mailbox = try #require(try await reopened.mailbox(named: "INBOX"))
        #expect(mailbox.uidNext == 2 && mailbox.uidValidity == 7)
        #expect(try await reopened.messages(.all, in: mailbox.id).map(\.guid) == [newMessage(1).guid])
        #expect(try await reopened.state("clean-shutdown") == "yes")
    }
}
