import Foundation
import Logging
import MailModel
import ObjectStore
import StoreContract
import Testing

@testable import MetaCache

@Suite struct BundleTests {
    func posixStore() throws -> (CountingStore, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bundles-\(UUID().uuidString)").path
        return (CountingStore(parent: try PipelineRegistry.builtIn.makeStore("posix:\(root)")), root)
    }

    /// An index with two mailboxes, keywords, flags, an expunge and subscriptions.
    func populatedIndex() async throws -> UserIndex {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "0000inbox", uidValidity: 1000).id
        let work = try await index.createMailbox(name: "Work/Projects", guid: "0000work", uidValidity: 1001, specialUse: "\\Archive").id
        _ = try await index.appendMessages((1...5).map { newMessage($0, mailboxGUID: "0000inbox", keywords: $0 == 2 ? ["$Label1"] : []) }, toMailbox: inbox)
        _ = try await index.copyMessages(UIDSet([1, 2]), from: inbox, to: work)
        _ = try await index.storeFlags(FlagChange(.add, flags: [.seen, .answered]), on: UIDSet([3]), in: inbox)
        _ = try await index.expungeMessages(UIDSet([5]), in: inbox)
        try await index.setSubscribed("INBOX", true)
        try await index.setSubscribed("Work/Projects", true)
        return index
    }

    /// The mail objects the index refers to, so a loader's rescan finds them in the bucket.
    func putObjects(of index: UserIndex, in store: any ObjectStore, prefix: String) async throws {
        for key in try await index.referencedObjects() {
            try await store.put(prefix + "/" + key, bytes: Array(key.utf8))
        }
    }

    func snapshot(_ index: UserIndex) async throws -> [String] {
        var lines: [String] = []
        for mailbox in try await index.mailboxes() {
            lines.append(
                "\(mailbox.name) \(mailbox.guid) v\(mailbox.uidValidity) next\(mailbox.uidNext) m\(mailbox.highestModSeq) \(mailbox.specialUse ?? "-")")
            for state in try await index.messageStates(in: mailbox.id) {
                lines.append("  \(state.uid) \(state.flags.rawValue) \(state.keywords) \(state.modSeq)")
            }
            for row in try await index.messages(.all, in: mailbox.id) {
                lines.append("  \(row.uid) \(row.objectKey) \(row.size) \(row.virtualSize) \(row.internalDate) \(Array(row.cachedFields))")
            }
            lines.append("  expunged \(try await index.expungedUIDs(in: mailbox.id, since: 0))")
        }
        lines.append("subscriptions \(try await index.subscriptions())")
        return lines
    }

    @Test func codecRoundTripsAndRejectsCorruption() async throws {
        let index = try await populatedIndex()
        let bundle = try await index.exportMailbox(guid: "0000inbox", since: nil, previous: nil)
        let bytes = BundleCodec.encode(bundle)
        #expect(try BundleCodec.decodeMailbox(bytes, name: "b") == bundle)
        let root = try await index.exportRoot()
        #expect(try BundleCodec.decodeRoot(BundleCodec.encode(root), name: "r") == root)

        var flipped = bytes
        flipped[flipped.count / 2] ^= 0x01
        #expect(throws: BundleError.corrupt("b", "checksum mismatch")) { try BundleCodec.decodeMailbox(flipped, name: "b") }
        #expect(throws: BundleError.corrupt("b", "not an ObjectMail index bundle")) { try BundleCodec.decodeMailbox(Array("hello".utf8), name: "b") }
        #expect(throws: BundleError.corrupt("r", "not a root bundle")) { try BundleCodec.decodeRoot(bytes, name: "r") }
        #expect(BundleNames.isBase(BundleNames.make(base: true)) && !BundleNames.isBase(BundleNames.make(base: false)))
        #expect(BundleNames.make(base: true, now: Date(timeIntervalSince1970: 1)) < BundleNames.make(base: false, now: Date(timeIntervalSince1970: 2)))
    }

    @Test func anotherBackendLoadsTheSameIndexFromTheBucket() async throws {
        let index = try await populatedIndex()
        let (store, _) = try posixStore()
        let bundler = IndexBundler(index: index, store: store, prefix: "ab/user", logger: Logger(label: "t"))
        #expect(try await bundler.flush() == 3)
        #expect(try await bundler.flush() == 0)

        try await putObjects(of: index, in: store, prefix: "ab/user")
        let (cold, _) = try makeIndex()
        let report = try await IndexLoader(store: store, prefix: "ab/user", logger: Logger(label: "t")).load(into: cold)
        #expect(report.bundlesRead == 3 && report.brokenChains.isEmpty && report.orphans.isEmpty)
        #expect(try await snapshot(cold) == (try await snapshot(index)))
        #expect(try await cold.referenceCount(of: newMessage(1, mailboxGUID: "0000inbox").objectKey) == 2)
    }

    @Test func deliveriesUploadSmallDiffsAfterTenMails() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "0000inbox", uidValidity: 1).id
        _ = try await index.appendMessages((1...200).map { newMessage($0, mailboxGUID: "0000inbox") }, toMailbox: inbox)
        let (store, _) = try posixStore()
        let bundler = IndexBundler(index: index, store: store, prefix: "p", logger: Logger(label: "t"))
        try await bundler.flush()
        let baseBytes = await bundler.figures.bytesUploaded

        for n in 201...209 {
            _ = try await index.appendMessages([newMessage(n, mailboxGUID: "0000inbox")], toMailbox: inbox)
            #expect(try await bundler.uploadDue() == 0)
        }
        _ = try await index.appendMessages([newMessage(210, mailboxGUID: "0000inbox")], toMailbox: inbox)
        #expect(try await bundler.uploadDue() == 1)
        let diffBytes = await bundler.figures.bytesUploaded - baseBytes
        #expect(diffBytes < baseBytes / 10)

        // A flag change waits for the upload interval, then goes as a diff.
        _ = try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: UIDSet([1]), in: inbox)
        #expect(try await bundler.uploadDue() == 0)
        #expect(try await bundler.uploadDue(now: .now + .seconds(301)) == 1)

        try await putObjects(of: index, in: store, prefix: "p")
        let (cold, _) = try makeIndex()
        let report = try await IndexLoader(store: store, prefix: "p", logger: Logger(label: "t")).load(into: cold)
        // The root, the base and the two diffs.
        #expect(report.bundlesRead == 4)
        let loaded = try #require(try await cold.mailbox(named: "INBOX"))
        #expect(loaded.uidNext == 211)
        #expect(try await cold.messageStates(in: loaded.id).first?.flags == [.seen])
    }

    @Test func aNewBaseReplacesTheOldBundles() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "0000inbox", uidValidity: 1).id
        let (store, _) = try posixStore()
        let bundler = IndexBundler(
            index: index, store: store, prefix: "p",
            policy: IndexBundler.Policy(maxNewMails: 1, rebaseFraction: 100, maxDiffs: 3), logger: Logger(label: "t"))
        for n in 1...5 {
            _ = try await index.appendMessages([newMessage(n, mailboxGUID: "0000inbox")], toMailbox: inbox)
            try await bundler.uploadDue()
        }
        // base, diff, diff, diff, then a new base that removed the four before it.
        #expect(await bundler.figures.bases == 2)
        let names = try await store.listAll(prefix: "p/mailboxes/0000inbox/idx/").map(\.key)
        #expect(names.count == 1 && BundleNames.isBase(String(names[0].split(separator: "/").last!)))
    }

    @Test func brokenChainsAndOrphansAreReported() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "0000inbox", uidValidity: 1).id
        let (store, _) = try posixStore()
        let bundler = IndexBundler(
            index: index, store: store, prefix: "p",
            policy: IndexBundler.Policy(maxNewMails: 1, rebaseFraction: 100), logger: Logger(label: "t"))
        for n in 1...3 {
            _ = try await index.appendMessages([newMessage(n, mailboxGUID: "0000inbox")], toMailbox: inbox)
            try await bundler.uploadDue()
        }
        let diffs = try await store.listAll(prefix: "p/mailboxes/0000inbox/idx/").map(\.key).filter {
            !BundleNames.isBase(String($0.split(separator: "/").last!))
        }.sorted()
        #expect(diffs.count == 2)
        try await store.delete(diffs[0])
        // Mail objects: the three indexed ones, plus one saved after the last upload.
        for n in 1...4 {
            try await store.put("p/" + newMessage(n, mailboxGUID: "0000inbox").objectKey, bytes: Array("m\(n)".utf8))
        }
        try await store.put("p/mailboxes/0000lost/" + String(format: "%032x", 99), bytes: Array("lost".utf8))

        let (cold, _) = try makeIndex()
        let report = try await IndexLoader(store: store, prefix: "p", logger: Logger(label: "t")).load(into: cold)
        #expect(report.brokenChains == ["0000inbox"])
        // Loaded up to the break: message 1 from the base; 2 and 3 were in the lost/unreachable diffs.
        let loaded = try #require(try await cold.mailbox(named: "INBOX"))
        #expect(try await cold.messageStates(in: loaded.id).map(\.uid) == [1])
        #expect(Set(report.orphans["0000inbox"]?.map(\.key) ?? []) == Set((2...4).map { "p/" + newMessage($0, mailboxGUID: "0000inbox").objectKey }))
        #expect(report.unknownMailboxGUIDs == ["0000lost"])
    }

    @Test func theLoaderDropsRowsWhoseObjectsAreGone() async throws {
        let index = try await populatedIndex()
        let (store, _) = try posixStore()
        _ = try await IndexBundler(index: index, store: store, prefix: "p", logger: Logger(label: "t")).flush()
        try await putObjects(of: index, in: store, prefix: "p")
        // Message 4 was expunged on a backend that died before uploading: its object is gone.
        try await store.delete("p/" + newMessage(4, mailboxGUID: "0000inbox").objectKey)
        let (cold, _) = try makeIndex()
        let report = try await IndexLoader(store: store, prefix: "p", logger: Logger(label: "t")).load(into: cold)
        #expect(report.dropped == 1)
        let inbox = try #require(try await cold.mailbox(named: "INBOX"))
        #expect(try await cold.messageStates(in: inbox.id).map(\.uid) == [1, 2, 3])
    }

    @Test func aRescanDoesNotBringBackExpungedMailWhoseDeleteIsPending() async throws {
        let index = try await populatedIndex() // message 5 expunged; its object was never deleted
        let (store, _) = try posixStore()
        _ = try await IndexBundler(index: index, store: store, prefix: "p", logger: Logger(label: "t")).flush()
        try await putObjects(of: index, in: store, prefix: "p")
        let expunged = newMessage(5, mailboxGUID: "0000inbox").objectKey
        #expect(try await index.pendingObjectDeletes() == [expunged])
        try await store.put("p/" + expunged, bytes: Array("m5".utf8))
        let report = try await IndexLoader(store: store, prefix: "p", logger: Logger(label: "t")).revalidate(index: index)
        #expect(report.orphans.isEmpty)
        #expect(try await index.pendingObjectDeletes() == [expunged])
    }

    @Test func anUploadAfterAnotherBackendsIsRefusedUntilMerged() async throws {
        let index = try await populatedIndex()
        let (store, _) = try posixStore()
        let mine = IndexBundler(index: index, store: store, prefix: "p", logger: Logger(label: "t"))
        try await mine.flush()
        try await putObjects(of: index, in: store, prefix: "p")
        // Another backend loads the user and uploads (its first upload writes its own root).
        let (other, _) = try makeIndex()
        _ = try await IndexLoader(store: store, prefix: "p", logger: Logger(label: "t")).load(into: other)
        let otherInbox = try #require(try await other.mailbox(named: "INBOX"))
        _ = try await other.appendMessages([newMessage(50, mailboxGUID: "0000inbox")], toMailbox: otherInbox.id)
        let theirs = IndexBundler(index: other, store: store, prefix: "p", logger: Logger(label: "t"))
        #expect(try await theirs.flush() >= 1)

        let inbox = try #require(try await index.mailbox(named: "INBOX"))
        _ = try await index.appendMessages([newMessage(60, mailboxGUID: "0000inbox")], toMailbox: inbox.id)
        let loader = IndexLoader(store: store, prefix: "p", logger: Logger(label: "t"))
        #expect(try await loader.rootChanged(index: index))
        await #expect(throws: BundleError.anotherWriter("p/idx/")) { try await mine.flush() }
        try await store.put("p/" + newMessage(50, mailboxGUID: "0000inbox").objectKey, bytes: [1])
        try await store.put("p/" + newMessage(60, mailboxGUID: "0000inbox").objectKey, bytes: [1])
        let report = try await loader.revalidate(index: index)
        #expect(report.merged["0000inbox"]?.renumbered == 1)
        #expect(!(try await loader.rootChanged(index: index)))
        #expect(try await mine.flush() >= 2)
        // Both messages are there, the other backend's under the UID it gave, ours renumbered.
        let guids = try await index.messages(.all, in: inbox.id).map(\.guid)
        #expect(guids.suffix(2) == [newMessage(50).guid, newMessage(60).guid])
    }
}
