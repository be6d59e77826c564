import Auth
import Config
import Foundation
import Logging
import MailModel
import MetaCache
import ObjectMail
import ObjectStore
import Testing

@testable import Server

/// `objectmail lda` on the server's side: LMTP's save path with dovecot-lda's differences (no header lines, -m with
/// its INBOX fallback, the -o overrides), against a passwd-file userdb and a posix store.
@Suite final class LDADeliveryTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lda-delivery-\(UUID().uuidString)").path

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func makeDelivery(
        _ configuration: LMTPConfiguration = LMTPConfiguration(hostname: "mx.test"),
        quota: QuotaConfiguration? = nil
    ) throws -> (StorageDelivery, MailStorage) {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "jane@example.com:{PLAIN}x::::::\n".write(toFile: "\(root)/users", atomically: true, encoding: .utf8)
        var registry = SettingsRegistry()
        AuthSettings.register(in: &registry)
        let databases = ["passdb", "userdb"].map { "\($0) {\n  driver = passwd-file\n  args = \(root)/users\n}\n" }
        let settings = try registry.load(text: databases.joined())
        let store = try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects")
        let storage = MailStorage(
            configuration: StorageConfiguration(homeTemplate: "\(root)/home/%u", quota: quota),
            logger: Logger(label: "test")
        ) { _ in store }
        return (
            StorageDelivery(
                authenticator: try Authenticator(settings: settings), storage: storage, configuration: configuration,
                logger: Logger(label: "lda")), storage
        )
    }

    let body = Array("Subject: s\r\n\r\nbody\r\n".utf8)

    func deliver(
        _ delivery: StorageDelivery, mailbox: String? = nil, overrides: LDAOverrides = LDAOverrides(),
        size: Int? = nil
    ) async throws -> LDAResult {
        let request = LDARequest(user: "jane@example.com", sender: "s@x.org", mailbox: mailbox, size: size ?? body.count, overrides: overrides)
        switch await delivery.accept(request) {
        case .refused(let result): return result
        case .proceed(let recipient): return await delivery.deliverLocally(request, to: recipient, bytes: body, spool: nil)
        }
    }

    func stored(_ storage: MailStorage, in mailbox: String) async throws -> [[UInt8]] {
        let user = try await storage.user("jane@example.com")
        let record = try await user.mailbox(mailbox)
        guard record.uidNext > 1 else { return [] }
        var bodies: [[UInt8]] = []
        for message in try await user.messages(UIDSet(1...(record.uidNext - 1)), in: record) { bodies.append(try await user.body(of: message)) }
        return bodies
    }

    @Test func unknownUsersAndMessagesOverTheLimitAreRefusedBeforeTheBody() async throws {
        let (delivery, _) = try makeDelivery(LMTPConfiguration(hostname: "mx.test", maxMessageSize: 100))
        let request = LDARequest(user: "joe@example.com", sender: "MAILER-DAEMON", size: 10)
        #expect(await delivery.accept(request) == .refused(LDAResult(.unknownUser, "User doesn't exist: joe@example.com")))
        #expect(try await deliver(delivery, size: 101) == LDAResult(.tooLarge, LDAResult.tooLargeText))
    }

    @Test func theMessageIsStoredAsGivenIntoTheMailboxOrInbox() async throws {
        let (delivery, storage) = try makeDelivery()
        #expect(try await deliver(delivery) == LDAResult(.delivered, "INBOX"))
        #expect(try await stored(storage, in: "INBOX") == [body]) // no Return-Path, Delivered-To, Received
        // A missing mailbox: INBOX; created with lda_mailbox_autocreate (from -o here), then used.
        #expect(try await deliver(delivery, mailbox: "Lists") == LDAResult(.delivered, "INBOX"))
        #expect(
            try await deliver(delivery, mailbox: "Lists", overrides: LDAOverrides(mailboxAutocreate: true, mailboxAutosubscribe: true))
                == LDAResult(.delivered, "Lists"))
        #expect(try await deliver(delivery, mailbox: "Lists") == LDAResult(.delivered, "Lists"))
        #expect(try await deliver(delivery, mailbox: "inbox") == LDAResult(.delivered, "INBOX"))
        #expect(try await stored(storage, in: "Lists").count == 2)
        let user = try await storage.user("jane@example.com")
        #expect(try await user.listMailboxes().map(\.subscribed) == [true, true])
    }

    @Test func overQuotaFallsBackToInboxAndEndsWithItsQuotaAnswer() async throws {
        let quota = QuotaConfiguration(rules: ["*:bytes=50", "", "", "", "", "", "", "", ""])
        let (delivery, storage) = try makeDelivery(quota: quota)
        #expect(try await deliver(delivery) == LDAResult(.delivered, "INBOX")) // 20 bytes of 50
        #expect(try await deliver(delivery) == LDAResult(.delivered, "INBOX")) // 40
        // 60 is over even with quota_grace (55): 77, or 75 with quota_full_tempfail; -m's mailbox fails the same way, then INBOX.
        let refused = LDAResult(.overQuota, QuotaConfiguration.defaultExceededMessage)
        #expect(try await deliver(delivery) == refused)
        #expect(try await deliver(delivery, mailbox: "Archive", overrides: LDAOverrides(mailboxAutocreate: true)) == refused)
        #expect(try await deliver(delivery, overrides: LDAOverrides(quotaFullTempfail: true)).exitCode == 75)
        // noenforcing: delivered all the same (a quota warning reaching a full box).
        #expect(try await deliver(delivery, overrides: LDAOverrides(enforceQuota: false)) == LDAResult(.delivered, "INBOX"))
        #expect(try await stored(storage, in: "INBOX").count == 3)
    }
}
