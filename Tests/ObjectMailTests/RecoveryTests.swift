import Foundation
import Logging
import MailModel
import MetaCache
import ObjectStore
import StoreContract
import Testing

@testable import ObjectMail

/// Backends are disposable: another backend with an empty metacache serves the user from the bucket.
@Suite struct RecoveryTests {
    /// A backend: its own metacache directory, sharing one bucket (a posix store) with the others.
    static func backend(bucket: any ObjectStore, home: String, metacache: MetacacheSettings = MetacacheSettings()) -> MailStorage {
        let configuration = StorageConfiguration(
            prefixTemplate: "%8Mu/%u", homeTemplate: "\(home)/%u",
            bundlePolicy: IndexBundler.Policy(checkInterval: .milliseconds(20)), metacache: metacache)
        return MailStorage(
            configuration: configuration, logger: Logger(label: "test"), storeForUser: { _ in bucket },
            indexStoreForUser: { _ in bucket })
    }

    static func mail(_ n: Int) -> IncomingMessage {
        IncomingMessage(
            bytes: Array("Subject: message \(n)\r\nMessage-ID: <\(n)@x>\r\n\r\nbody \(n)\r\n".utf8),
            internalDate: Date(timeIntervalSince1970: 1_790_000_000 + TimeInterval(n)))
    }

    func scratch() throws -> (CountingStore, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID().uuidString)").path
        return (CountingStore(parent: try PipelineRegistry.builtIn.makeStore("posix:\(root)/bucket")), root)
    }

    func describe(_ user: MailUser) async throws -> [String] {
        var lines: [String] = []
        for listing in try await user.listMailboxes() where listing.exists {
            let mailbox = try await user.mailbox(listing.name.value)
            let states = try await user.messageStates(in: mailbox)
            let bodies = try await user.messages(.all, in: mailbox)
            lines.append(
                "\(listing.name) v\(mailbox.uidValidity) "
                    + zip(states, bodies).map { state, row in
                        "\(state.uid):\(state.flags.rawValue):\(row.size)"
                    }.joined(separator: ","))
        }
        return lines
    }

    @Test func cleanHandOverKeepsEverything() async throws {
        let (bucket, root) = try scratch()
        let first = try await Self.backend(bucket: bucket, home: "\(root)/a").user("alice")
        let inbox = try await first.mailbox("INBOX")
        let work = try await first.createMailbox("Work")
        _ = try await first.saveMessages((1...25).map(Self.mail), to: inbox)
        _ = try await first.moveMessages(UIDSet(ranges: [1...5]), from: inbox, to: work)
        _ = try await first.storeFlags(FlagChange(.add, flags: [.seen], keywords: ["$Done"]), on: UIDSet([6, 7]), in: inbox)
        try await first.setSubscribed("Work", true)
        try await first.flush()
        let reads = bucket.reads

        let second = try await Self.backend(bucket: bucket, home: "\(root)/b").user("alice")
        #expect(try await describe(second) == (try await describe(first)))
        #expect(try await second.listMailboxes().first { $0.name.value == "Work" }?.subscribed == true)
        #expect(try await second.messageStates(in: try await second.mailbox("INBOX")).first { $0.uid == 6 }?.keywords == ["$Done"])
        // Every bundle in the bucket is read once (the root, each folder's base and its diffs);
        // no mail object is read.
        let bundleObjects = try await bucket.listAll(prefix: "").filter { $0.key.contains("idx/") }.count
        #expect(bucket.reads - reads == bundleObjects)
    }

    @Test func crashAfterUploadsAdoptsTheMailSavedSince() async throws {
        let (bucket, root) = try scratch()
        let first = try await Self.backend(bucket: bucket, home: "\(root)/a").user("bob")
        let inbox = try await first.mailbox("INBOX")
        _ = try await first.saveMessages((1...20).map(Self.mail), to: inbox)
        try await first.flush()
        // Saved and acknowledged, but the backend dies before any index upload.
        _ = try await first.saveMessages((21...25).map(Self.mail), to: inbox)

        let reads = bucket.reads
        let second = try await Self.backend(bucket: bucket, home: "\(root)/b").user("bob")
        let recovered = try await second.messages(.all, in: try await second.mailbox("INBOX"))
        #expect(recovered.count == 25)
        // UIDs from the bundle are kept; the adopted mails follow them.
        #expect(recovered.prefix(20).map(\.uid) == Array(1...20))
        #expect(Set(recovered.map(\.guid)) == Set(try await first.messages(.all, in: inbox).map(\.guid)))
        for row in recovered {
            #expect(
                try await second.body(of: row)
                    == (try await first.body(of: try #require(try await first.messages(.all, in: inbox).first { $0.guid == row.guid }))))
        }
        // Root + base, then one read per adopted mail (plus the reads of the comparison above).
        #expect(bucket.reads - reads >= 2 + 5)
    }

    @Test func bundlesLostRebuildsFromObjectsAlone() async throws {
        let (bucket, root) = try scratch()
        let first = try await Self.backend(bucket: bucket, home: "\(root)/a").user("carol")
        let inbox = try await first.mailbox("INBOX")
        let projects = try await first.createMailbox("Projects/2026")
        _ = try await first.saveMessages((1...6).map(Self.mail), to: inbox)
        _ = try await first.saveMessages((7...9).map(Self.mail), to: projects)
        try await first.flush()
        let bundles = try await bucket.listAll(prefix: "").map(\.key).filter { $0.contains("/idx/") || $0.hasPrefix("idx/") }
        #expect(!bundles.isEmpty)
        _ = try await bucket.deleteMany(bundles)

        let second = try await Self.backend(bucket: bucket, home: "\(root)/b").user("carol")
        #expect(try await second.messages(.all, in: try await second.mailbox("INBOX")).count == 6)
        #expect(try await second.messages(.all, in: try await second.mailbox("Projects/2026")).count == 3)
        #expect(try await second.mailbox("Projects/2026").guid == projects.guid)
    }

    @Test func deliveriesUploadInTheBackground() async throws {
        let (bucket, root) = try scratch()
        let user = try await Self.backend(bucket: bucket, home: "\(root)/a").user("dave")
        let inbox = try await user.mailbox("INBOX")
        for n in 1...10 { _ = try await user.saveMessages([Self.mail(n)], to: inbox) }
        // Ten new mails make the upload due; the background loop does it without a flush.
        var uploaded = false
        for _ in 0..<100 where !uploaded {
            try await Task.sleep(for: .milliseconds(20))
            uploaded = !(try await bucket.listAll(prefix: user.layout.bucketKey("mailboxes/\(inbox.guid)/idx/")).isEmpty)
        }
        #expect(uploaded)
    }
}
