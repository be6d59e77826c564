import Foundation
import MailModel
import MetaCache
import StoreContract
import Testing

@testable import ObjectMail

/// S3 requests cost money: the storage core's request counts per operation are part of its contract.
@Suite struct RequestCostTests {
    @Test func oneWritePerSavedMessageAndNothingElse() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("cost")
        let inbox = try await user.mailbox("INBOX")
        let before = store.count("put")
        _ = try await user.saveMessages((0..<20).map { IncomingMessage(bytes: Array("Subject: \($0)\r\n\r\nx\r\n".utf8)) }, to: inbox)
        #expect(store.count("put") - before == 20)
        #expect(store.reads == 0 && store.count("stat") == 0 && store.count("list") == 0)
    }

    @Test func firstSyncSortThreadAndIndexSearchMakeNoRequest() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("sync")
        let inbox = try await user.mailbox("INBOX")
        _ = try await user.saveMessages(
            (0..<50).map {
                IncomingMessage(bytes: Array("From: a\($0)@example.com\r\nSubject: s\($0 % 7)\r\nMessage-ID: <\($0)@x>\r\n\r\nbody\r\n".utf8))
            }, to: inbox)
        let requestsBefore = store.reads + store.count("stat") + store.count("list")
        let rows = try await user.messages(.all, in: inbox)
        #expect(rows.count == 50 && rows.allSatisfy { !$0.cachedFields.isEmpty })
        _ = try await user.search(.and([.header(name: "subject", contains: "s3"), .flags([.seen], set: false)]), in: inbox)
        _ = try await user.sort(rows.map(\.uid), in: inbox, by: [SortCriterion(.subject)])
        _ = try await user.thread(rows.map(\.uid), in: inbox, algorithm: .references)
        #expect(store.reads + store.count("stat") + store.count("list") == requestsBefore)
        // A body search reads each undecided body once.
        _ = try await user.search(.body("body"), in: inbox)
        #expect(store.reads == 50)
    }

    @Test func copyAndMoveCostNothingAndExpungeDeletesInBulk() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("bulk")
        let inbox = try await user.mailbox("INBOX")
        let archive = try await user.createMailbox("Archive")
        _ = try await user.saveMessages((0..<30).map { IncomingMessage(bytes: Array("Subject: \($0)\r\n\r\nx\r\n".utf8)) }, to: inbox)
        let writes = store.count("put")
        let copies = store.count("copy")
        _ = try await user.copyMessages(.all, from: inbox, to: archive)
        _ = try await user.moveMessages(UIDSet(ranges: [1...10]), from: inbox, to: archive)
        #expect(store.count("put") == writes && store.count("copy") == copies && store.count("deleteMany") == 0)
        _ = try await user.expungeMessages(.all, in: inbox)
        _ = try await user.expungeMessages(.all, in: archive)
        // 30 objects, one bulk request (⌈30/1000⌉); nothing deleted one by one.
        #expect(store.count("deleteMany") == 1 && store.count("delete") == 0)
        #expect(try await store.listAll(prefix: user.layout.bucketKey("mailboxes/")).isEmpty)
    }
}
