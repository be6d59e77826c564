import Foundation
import MailModel
import MetaCache
import Testing

@testable import ObjectMail

@Suite struct MailEventTests {
    @Test func sessionsSeeEachOthersChanges() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("frank")
        let inbox = try await user.mailbox("INBOX")
        let other = try await user.createMailbox("Other")
        let watching = user.events.watch(mailboxID: inbox.id)
        let everything = user.events.watch(mailboxID: nil)
        let session = UUID()

        _ = try await user.saveMessages([IncomingMessage(bytes: Array("Subject: a\r\n\r\nx\r\n".utf8))], to: inbox, origin: session)
        _ = try await user.storeFlags(FlagChange(.add, flags: [.seen]), on: .all, in: inbox)
        _ = try await user.copyMessages(.all, from: inbox, to: other)
        _ = try await user.expungeMessages(.all, in: inbox)
        try await user.deleteMailbox("Other")
        user.events.stopWatching(watching.id)
        user.events.stopWatching(everything.id)

        var inboxEvents: [MailEvent] = []
        for await event in watching.events { inboxEvents.append(event) }
        #expect(
            inboxEvents.map(\.change) == [
                .appended(uids: [1], modSeq: 2),
                .flagsChanged([MessageState(uid: 1, flags: [.seen], keywords: [], modSeq: 3)]),
                .expunged(uids: [1], modSeq: 4)
            ])
        #expect(inboxEvents[0].origin == session && inboxEvents[1].origin == nil)

        var all: [MailEvent] = []
        for await event in everything.events { all.append(event) }
        #expect(all.count == 6)
        #expect(
            all.filter { $0.mailboxID == other.id }.map(\.change)
                == [.appended(uids: [1], modSeq: 2), .mailboxGone, .mailboxDeleted(name: "Other")])
    }

    /// NOTIFY's MailboxName and SubscriptionChange need the mailbox list's changes as events too.
    @Test func mailboxListChangesAreEvents() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("frank")
        let everything = user.events.watch(mailboxID: nil)
        let session = UUID()

        try await user.createMailbox("Lists", origin: session)
        try await user.createMailbox("Lists/Swift")
        try await user.renameMailbox("Lists", to: "Groups")
        try await user.setSubscribed("Groups/Swift", true)
        try await user.setSubscribed("Groups/Swift", true)
        try await user.setSubscribed("Nowhere", true)
        try await user.setSubscribed("Groups/Swift", false)
        try await user.deleteMailbox("Groups/Swift")
        user.events.stopWatching(everything.id)

        var all: [MailEvent] = []
        for await event in everything.events { all.append(event) }
        #expect(
            all.map(\.change) == [
                .mailboxCreated(name: "Lists"),
                .mailboxCreated(name: "Lists/Swift"),
                .mailboxRenamed(from: "Lists", to: "Groups"),
                .mailboxRenamed(from: "Lists/Swift", to: "Groups/Swift"),
                .subscriptionChanged(name: "Groups/Swift", subscribed: true),
                .subscriptionChanged(name: "Nowhere", subscribed: true),
                .subscriptionChanged(name: "Groups/Swift", subscribed: false),
                .mailboxGone,
                .mailboxDeleted(name: "Groups/Swift")
            ])
        #expect(all[0].origin == session && all[1].origin == nil)
        #expect(all[5].mailboxID == nil)
    }

    @Test func renamingInboxIsAMoveOfItsMessages() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("frank")
        let inbox = try await user.mailbox("INBOX")
        _ = try await user.saveMessages([IncomingMessage(bytes: Array("Subject: a\r\n\r\nx\r\n".utf8))], to: inbox)
        let everything = user.events.watch(mailboxID: nil)
        try await user.renameMailbox("INBOX", to: "Old")
        user.events.stopWatching(everything.id)

        var all: [MailEvent] = []
        for await event in everything.events { all.append(event) }
        #expect(all.map(\.change) == [.mailboxCreated(name: "Old"), .appended(uids: [1], modSeq: 2), .expunged(uids: [1], modSeq: 3)])
        #expect(all.last?.mailboxID == inbox.id)
    }
}
