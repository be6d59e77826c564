import Foundation
import Logging
import MIME
import MailModel
import MetaCache
import ObjectStore
import Testing

@testable import ObjectMail

@Suite struct MailUserSaveTests {
    static let message = Array(
        """
        From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.com>\r
        To: alice@example.com\r
        Subject: Quarterly report\r
        Message-ID: <q1@example.com>\r
        Date: Sat, 21 Nov 2026 10:00:00 +0100\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        Numbers attached.\r
        --b1\r
        Content-Type: application/pdf; name="q1.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        --b1--\r

        """.utf8)

    @Test func aSpooledMessageIsStoredFromItsFileWithTheSameRowAsInMemory() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("alice@example.com")
        let inbox = try await user.mailbox("INBOX")
        let spool = try await SpoolFile.create(in: NSTemporaryDirectory())
        try spool.append(Self.message)
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try await user.saveMessages([IncomingMessage(spool: spool, internalDate: date)], to: inbox)
        _ = try await user.saveMessages([IncomingMessage(bytes: Self.message, internalDate: date)], to: inbox)
        let rows = try await user.messages(.all, in: inbox)
        #expect(rows.count == 2)
        #expect(rows[0].size == rows[1].size && rows[0].virtualSize == rows[1].virtualSize)
        #expect(rows[0].cachedFields == rows[1].cachedFields)
        let object = try await store.get(user.layout.bucketKey(rows[0].objectKey))
        #expect(object.body == Self.message)
    }

    @Test func saveStoresTheObjectWithMetadataThenIndexesIt() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("alice@example.com")
        let inbox = try await user.mailbox("INBOX")
        let received = Date(timeIntervalSince1970: 1_790_000_000)
        let assigned = try await user.saveMessages(
            [
                IncomingMessage(
                    bytes: Self.message, flags: [.seen], keywords: ["$Forwarded"],
                    internalDate: received)
            ], to: inbox)
        #expect(assigned.destinationUIDs == [1])
        let row = try #require(try await user.messages(.all, in: inbox).first)
        #expect(row.size == Int64(Self.message.count) && row.virtualSize == Int64(Self.message.count))
        #expect(row.internalDate == 1_790_000_000)
        #expect(row.objectKey.hasPrefix("mailboxes/\(inbox.guid)/"))
        let cached = try CachedMessageFields(serialized: Array(row.cachedFields))
        #expect(cached.envelope.subject.map { String(decoding: $0, as: UTF8.self) } == "Quarterly report")
        #expect(cached.structure.root.kind == .multipart && cached.structure.root.subtype == Array("mixed".utf8))

        let object = try await store.get(user.layout.bucketKey(row.objectKey))
        #expect(object.body == Self.message)
        #expect(object.info.metadata["username"] == "alice@example.com")
        #expect(object.info.metadata["guid"] == row.guid)
        #expect(object.info.metadata["size"] == String(Self.message.count))
        #expect(object.info.metadata["received"] == "1790000000")
        #expect(object.info.metadata["origbox"] == inbox.guid)
        #expect(try await user.messageStates(in: inbox).first?.keywords == ["$Forwarded"])
    }

    @Test func aFailedStoreLeavesNoRowAndNoObject() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("savefail-\(UUID().uuidString)").path
        let posix = try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects")
        let failing = RandomFailObjectStore(parent: posix, rates: try RandomFailRates(parsing: "write=50"), seed: 7)
        let configuration = StorageConfiguration(homeTemplate: "\(root)/home/%u")
        let storage = MailStorage(configuration: configuration, logger: Logger(label: "test")) { _ in failing }
        let user = try await storage.user("bob")
        let inbox = try await user.mailbox("INBOX")
        var successes = 0
        var failures = 0
        for _ in 0..<20 {
            do {
                _ = try await user.saveMessages(Array(repeating: IncomingMessage(bytes: Self.message), count: 3), to: inbox)
                successes += 1
            } catch let error as StorageError {
                #expect(error.isTemporary)
                failures += 1
            }
        }
        #expect(failures > 0 && successes > 0)
        // The objects of failed calls are deleted in the background, never on the client's path.
        for _ in 0..<5 { _ = await user.retireRefusedSaves() }
        // All or nothing per call: the index holds exactly the successful calls' messages, and the
        // bucket holds exactly their objects.
        let rows = try await user.messages(.all, in: inbox)
        #expect(rows.count == successes * 3)
        let objects = try await posix.listAll(prefix: user.layout.mailboxPrefix(guid: inbox.guid))
        #expect(Set(objects.map(\.key)) == Set(rows.map { user.layout.bucketKey($0.objectKey) }))
    }
}

@Suite struct MailUserBodyTests {
    @Test func bodiesComeBackInOrderWithPrefetch() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("erin")
        let inbox = try await user.mailbox("INBOX")
        let messages = (0..<25).map { IncomingMessage(bytes: Array("Subject: \($0)\r\n\r\nbody \($0)\r\n".utf8)) }
        _ = try await user.saveMessages(messages, to: inbox)
        let rows = try await user.messages(.all, in: inbox)
        var seen: [UInt32] = []
        for try await (_, row, bytes) in user.bodies(of: rows, prefetch: 10) {
            #expect(String(decoding: bytes, as: UTF8.self) == "Subject: \(row.uid - 1)\r\n\r\nbody \(row.uid - 1)\r\n")
            seen.append(row.uid)
        }
        #expect(seen == Array(1...25))
        #expect(try await user.body(of: rows[3]) == messages[3].bytes)
    }

    @Test func aMessageExpungedWhileItsBodyIsReadIsLeftOutAMissingObjectIsAnError() async throws {
        let (storage, store, _) = try makeStorage()
        let user = try await storage.user("frank")
        let inbox = try await user.mailbox("INBOX")
        _ = try await user.saveMessages((0..<3).map { IncomingMessage(bytes: Array("Subject: \($0)\r\n\r\nbody\r\n".utf8)) }, to: inbox)
        let rows = try await user.messages(.all, in: inbox)
        // Another session expunges the second message after this one read the rows: its object is deleted.
        _ = try await user.expungeMessages(UIDSet([rows[1].uid]), in: inbox)
        var positions: [Int] = []
        for try await (position, row, _) in user.bodies(of: rows, prefetch: 3) {
            #expect(row.uid == rows[position].uid)
            positions.append(position)
        }
        #expect(positions == [0, 2])
        // An object gone while the index still refers to it is not an expunge: the read fails.
        try await store.delete(user.layout.bucketKey(rows[2].objectKey))
        await #expect(throws: StorageError.self) {
            for try await _ in user.bodies(of: [rows[0], rows[2]], prefetch: 1) {}
        }
    }
}

/// Object metadata travels as HTTP header values: what is not plain printable ASCII must be encoded, and the
/// bucket scan that adopts mail decodes it back with `removingPercentEncoding`.
@Suite struct MailObjectMetadataValueTests {
    @Test func encodesWhatAHeaderCannotCarryAndDecodesBack() {
        #expect(MailObjectWriter.metadataValue("jane@example.com") == "jane@example.com")
        #expect(MailObjectWriter.metadataValue("Sent Items/2026") == "Sent%20Items/2026")
        #expect(MailObjectWriter.metadataValue("100% \"real\" a\\b") == "100%25%20%22real%22%20a%5Cb")
        #expect(MailObjectWriter.metadataValue("Grüße\tx\n") == "Gr%C3%BC%C3%9Fe%09x%0A")
        for text in ["", "INBOX", "Entwürfe", "日本語/メール", "a%b", "~!#$&'()*+,-./:;<=>?@[]^_`{|}", "\u{7F}\u{0}", "😀 ok"] {
            let encoded = MailObjectWriter.metadataValue(text)
            #expect(encoded.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "\(text)")
            #expect(encoded.removingPercentEncoding == text, "\(text)")
        }
    }
}
