import Foundation
import Logging
import MailModel
import MetaCache
import ObjectMail
import ObjectStore
import StoreContract
import Testing

/// The storage core against a real S3 server: saves cost one PUT each, COPY and MOVE cost no
/// request, an expunge is one DeleteObjects, and a second backend with an empty metacache serves
/// every acknowledged message from the bucket alone.
@Suite(.serialized) struct StorageOnS3Tests {
    static func backend(_ bucket: any ObjectStore, home: String) -> MailStorage {
        // Index bundles upload only at flush(): a background upload (due after 10 new mails) landing
        // between the counts would be charged to COPY or MOVE, which cost no message request.
        let configuration = StorageConfiguration(prefixTemplate: "%8Mu/%u", homeTemplate: "\(home)/%u",
                                                 bundlePolicy: IndexBundler.Policy(maxNewMails: .max, uploadInterval: .seconds(86_400)))
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return MailStorage(configuration: configuration, logger: logger, storeForUser: { _ in bucket }, indexStoreForUser: { _ in bucket })
    }

    @Test func requestCostsAndHandOverOnS3() async throws {
        let url = try await SeaweedFS.shared.value
        let bucket = CountingStore(parent: try PipelineRegistry.builtIn.makeStore("s3:\(url)"))
        let home = NSTemporaryDirectory() + "storage-s3-\(UUID().uuidString)"
        let userName = "s3user-\(UUID().uuidString.prefix(8))@example.com"
        let user = try await Self.backend(bucket, home: "\(home)/a").user(userName)
        let inbox = try await user.mailbox("INBOX")
        let archive = try await user.createMailbox("Archive")
        // A folder never uploaded is due at the next upload check: upload now, or under load that check lands
        // between the counts below.
        try await user.flush()

        let puts = bucket.count("put")
        let messages = (0..<30).map { IncomingMessage(bytes: Array("Subject: s3 \($0)\r\nMessage-ID: <\($0)@s3>\r\n\r\nbody \($0)\r\n".utf8)) }
        _ = try await user.saveMessages(messages, to: inbox)
        #expect(bucket.count("put") - puts == 30)

        let before = ["put", "get", "copy", "delete", "deleteMany"].map { bucket.count($0) }
        _ = try await user.copyMessages(UIDSet(ranges: [1...10]), from: inbox, to: archive)
        _ = try await user.moveMessages(UIDSet(ranges: [11...20]), from: inbox, to: archive)
        #expect(["put", "get", "copy", "delete", "deleteMany"].map { bucket.count($0) } == before)

        _ = try await user.expungeMessages(UIDSet(ranges: [21...30]), in: inbox)
        #expect(bucket.count("deleteMany") == before[4] + 1)
        try await user.flush()

        let second = try await Self.backend(bucket, home: "\(home)/b").user(userName)
        let loadedArchive = try await second.messages(.all, in: try await second.mailbox("Archive"))
        #expect(loadedArchive.count == 20)
        #expect(try await second.messages(.all, in: try await second.mailbox("INBOX")).count == 10)
        for row in loadedArchive.prefix(3) {
            let body = String(decoding: try await second.body(of: row), as: UTF8.self)
            #expect(body.hasPrefix("Subject: s3 "))
        }
    }
}
