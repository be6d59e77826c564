import Foundation
import MetaCache
import Testing
@testable import ObjectMail

@Suite struct MailEventTests {
    @Test func sessionsSeeEachOthersChanges() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("frank")
        let inbox = try await user.mailbox("INBOX")
        let other = try await user.createMailbox("Other")
        let watching = await user.watch(mailboxID: inbox.id)
        let everything = await user.watch(mailboxID: nil)
        let session = UUID()

        _ = try await user.saveMessages([IncomingMessage(bytes: Array("Subject: a\r\n\r\nx\r\n".utf8))], to: inbox, origin: session)
        _ = try await user.storeFlags(FlagChange(.add, flags: [.seen]), on: .all, in: inbox)
        _ = try await user.copyMessages(.all, from: inbox, to: other)
        _ = try await user.expungeMessages(.all, in: inbox)
        try await user.deleteMailbox("Other")
        await user.stopWatching(watching.id)
        await user.stopWatching(everything.id)

        var inboxEvents: [MailEvent] = []
        for await event in watching.events { inboxEvents.append(event) }
        #expect(inboxEvents.map(\.change) == [
            .appended(uids: [1], modSeq: 2),
            .flagsChanged([MessageState(uid: 1, flags: [.seen], keywords: [], modSeq: 3)]),
            .expunged(uids: [1], modSeq: 4),
        ])
        #expect(inboxEvents[0].origin == session && inboxEvents[1].origin == nil)

        var all: [MailEvent] = []
        for await event in everything.events { all.append(event) }
        #expect(all.count == 5)
        #expect(all.filter { $0.mailboxID == other.id }.map(\.change) == [.appended(uids: [1], modSeq: 2), .mailboxGone])
    }
}
