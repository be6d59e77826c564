import Auth
import Config
import Foundation
import Logging
import MailModel
import MetaCache
import ObjectMail
import ObjectStore
import StoreContract
import Testing

@testable import Server

/// The real backend: userdb lookups through Auth (passwd-file) and saves into a posix store.
@Suite final class StorageDeliveryTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lmtp-delivery-\(UUID().uuidString)").path

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func makeDelivery(_ configuration: LMTPConfiguration, obox: String? = nil) throws -> (StorageDelivery, MailStorage) {
        let (delivery, storage, _) = try makeCountedDelivery(configuration, obox: obox)
        return (delivery, storage)
    }

    func makeCountedDelivery(_ configuration: LMTPConfiguration, obox: String? = nil) throws -> (StorageDelivery, MailStorage, CountingStore) {
        let settings = try PasswdFileUsers.settings("jane@example.com:{PLAIN}x::::::\n", in: root)
        let store = CountingStore(parent: try PipelineRegistry.builtIn.makeStore(obox ?? "posix:\(root)/objects"))
        let storage = MailStorage(
            configuration: StorageConfiguration(homeTemplate: "\(root)/home/%u"),
            logger: Logger(label: "test")
        ) { _ in store }
        return (
            StorageDelivery(
                authenticator: try Authenticator(settings: settings), storage: storage,
                configuration: configuration, logger: Logger(label: "test")), storage, store
        )
    }

    let session = LMTPSessionInfo(id: "SESSION", helo: "relay.test", remoteIP: "127.0.0.1")

    func recipient(_ delivery: StorageDelivery, _ address: String) async throws -> LMTPRecipient {
        guard case .accepted(let recipient) = await delivery.resolveRecipient(address, originalRecipient: nil, session: session) else {
            throw ConfigError("\(address) not accepted")
        }
        return recipient
    }

    @Test func detailMailboxIsCreatedAndSubscribedAndMessagesCarryTheHeaders() async throws {
        let (delivery, storage) = try makeDelivery(
            LMTPConfiguration(
                hostname: "mx.test", saveToDetailMailbox: true,
                mailboxAutocreate: true, mailboxAutosubscribe: true))
        #expect(await delivery.resolveRecipient("JOE@example.com", originalRecipient: nil, session: session) == .unknown)
        let detail = try await recipient(delivery, "Jane+lists@example.com")
        #expect(detail.user == "jane@example.com" && detail.detail == "lists")
        let plain = try await recipient(delivery, "jane@example.com")
        let body = Array("Subject: s\r\n\r\nbody\r\n".utf8)
        let replies = await delivery.deliver(LMTPMessage(mailFrom: "s@x.org", recipients: [detail, plain], bytes: body), session: session)
        #expect(
            replies == [
                LMTPReply(250, "2.0.0 <Jane+lists@example.com> SESSION Saved"),
                LMTPReply(250, "2.0.0 <jane@example.com> SESSION Saved")
            ])

        let user = try await storage.user("jane@example.com")
        let listing = try await user.listMailboxes()
        #expect(listing.map(\.name.value) == ["INBOX", "lists"] && listing.map(\.subscribed) == [true, true])
        let lists = try await user.mailbox("lists")
        let message = try #require(try await user.messages(UIDSet([1]), in: lists).first)
        let saved = try await user.body(of: message)
        let text = String(decoding: saved, as: UTF8.self)
        #expect(text.hasPrefix("Return-Path: <s@x.org>\r\nDelivered-To: Jane+lists@example.com\r\nReceived: from relay.test ([127.0.0.1])\r\n"))
        #expect(saved.suffix(body.count) == body[...])
    }

    @Test func withoutAutocreateAMissingDetailMailboxMeansInbox() async throws {
        let (delivery, storage) = try makeDelivery(LMTPConfiguration(hostname: "mx.test", saveToDetailMailbox: true))
        let detail = try await recipient(delivery, "jane+nowhere@example.com")
        let replies = await delivery.deliver(LMTPMessage(mailFrom: "", recipients: [detail], bytes: Array("x\r\n".utf8)), session: session)
        #expect(replies.map(\.code) == [250])
        let user = try await storage.user("jane@example.com")
        #expect(try await user.listMailboxes().map(\.name.value) == ["INBOX"])
        #expect(try await user.mailbox("INBOX").uidNext == 2)
    }

    @Test func storeFailureIsTemporaryAndSavesNothing() async throws {
        let (delivery, storage) = try makeDelivery(LMTPConfiguration(hostname: "mx.test"), obox: "randomfail:write=100:posix:\(root)/objects")
        let jane = try await recipient(delivery, "jane@example.com")
        let replies = await delivery.deliver(LMTPMessage(mailFrom: "", recipients: [jane], bytes: Array("x\r\n".utf8)), session: session)
        #expect(replies == [LMTPReply(451, "4.3.0 <jane@example.com> Temporary failure")])
        let user = try await storage.user("jane@example.com")
        #expect(try await user.mailbox("INBOX").uidNext == 1)
    }

    /// Cost rule: one PUT per delivered recipient, nothing read.
    @Test func oneStoreRequestPerRecipient() async throws {
        let (delivery, _, store) = try makeCountedDelivery(LMTPConfiguration(hostname: "mx.test"))
        let jane = try await recipient(delivery, "jane@example.com")
        let detail = try await recipient(delivery, "jane+x@example.com")
        _ = await delivery.deliver(LMTPMessage(mailFrom: "", recipients: [jane], bytes: Array("first\r\n".utf8)), session: session)
        let before = (puts: store.count("put"), reads: store.reads)
        for _ in 0..<10 {
            let replies = await delivery.deliver(
                LMTPMessage(mailFrom: "", recipients: [jane, detail], bytes: Array("x\r\n".utf8)),
                session: session)
            #expect(replies.map(\.code) == [250, 250])
        }
        #expect(store.count("put") - before.puts == 20)
        #expect(store.reads - before.reads == 0)
    }
}
