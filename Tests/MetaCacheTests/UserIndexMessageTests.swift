import Foundation
import GRDB
import MailModel
import Synchronization
import Testing

@testable import MetaCache

@Suite struct UserIndexMessageTests {
    @Test func appendAssignsUIDsAndOneModSeq() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 42).id
        let first = try await index.appendMessages([newMessage(1), newMessage(2)], toMailbox: inbox)
        #expect(first.destinationUIDs == [1, 2] && first.uidValidity == 42 && first.modSeq == 2)
        let second = try await index.appendMessages([newMessage(3, flags: [.seen], keywords: ["$Junk"])], toMailbox: inbox)
        #expect(second.destinationUIDs == [3] && second.modSeq == 3)
        let states = try await index.messageStates(in: inbox)
        #expect(states.map(\.uid) == [1, 2, 3])
        #expect(states[2] == MessageState(uid: 3, flags: [.seen], keywords: ["$Junk"], modSeq: 3))
        let rows = try await index.messages(UIDSet([2, 3]), in: inbox)
        #expect(rows.map(\.size) == [102, 103])
        #expect(rows[0].cachedFields == Data([2]))
    }

    @Test func expungeDeletedTakesOnlyFlaggedMessagesAmongTheGivenUIDs() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages((1...5).map { newMessage($0) }, toMailbox: inbox)
        _ = try await index.storeFlags(FlagChange(.add, flags: [.deleted, .seen]), on: UIDSet([1, 2, 4]), in: inbox)
        _ = try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: UIDSet([3]), in: inbox)

        let some = try await index.expungeDeleted(among: UIDSet(ranges: [2...3]), in: inbox)
        #expect(some.expungedUIDs == [2] && some.releasedObjects == [newMessage(2).objectKey])
        let rest = try await index.expungeDeleted(in: inbox)
        #expect(rest.expungedUIDs == [1, 4])
        #expect(try await index.messageStates(in: inbox).map(\.uid) == [3, 5])
        let none = try await index.expungeDeleted(in: inbox)
        #expect(none.expungedUIDs.isEmpty && none.modSeq == rest.modSeq)
    }

    @Test func aWriteReadsTheCatchUpInItsOwnTransaction() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages((1...3).map { newMessage($0) }, toMailbox: inbox)
        let seen = try #require(try await index.mailbox(guid: "g0"))
        // Another writer's change after what the session saw: the catch-up of the session's own write includes it.
        _ = try await index.storeFlags(FlagChange(.add, flags: [.flagged]), on: UIDSet([1]), in: inbox)
        let request = CatchUpRequest(mailboxGUID: "g0", sinceModSeq: seen.highestModSeq)
        let stored = try await index.storeFlags(FlagChange(.add, flags: [.deleted]), on: UIDSet([2]), in: inbox, catchingUp: request)
        let caughtUp = try #require(stored.caughtUp)
        #expect(caughtUp.request == request && caughtUp.generation == index.writeGeneration)
        #expect(caughtUp.changes == (try await index.mailboxChanges(guid: "g0", since: seen.highestModSeq)))
        #expect(caughtUp.changes?.changed.map(\.uid) == [1, 2] && caughtUp.changes?.messageCount == 3)

        let appended = try await index.appendMessages(
            [newMessage(4)], toMailbox: inbox,
            catchingUp: CatchUpRequest(mailboxGUID: "g0", sinceModSeq: caughtUp.changes!.mailbox.highestModSeq))
        #expect(appended.caughtUp?.changes?.changed.map(\.uid) == [4] && appended.caughtUp?.changes?.mailbox.uidNext == 5)
        let expunged = try await index.expungeDeleted(in: inbox, catchingUp: CatchUpRequest(mailboxGUID: "g0", sinceModSeq: appended.modSeq))
        #expect(expunged.caughtUp?.changes?.expunged == [2] && expunged.caughtUp?.changes?.messageCount == 3)
        #expect(expunged.pendingObjectDeletes == [newMessage(2).objectKey])
        // A later write moves the generation on: a session holding the older one knows it must read again.
        _ = try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: UIDSet([1]), in: inbox)
        #expect(index.writeGeneration > expunged.caughtUp!.generation)
        // A mailbox gone meanwhile is reported as such, not as "no changes".
        let gone = try await index.storeFlags(
            FlagChange(.add, flags: [.seen]), on: UIDSet([3]), in: inbox,
            catchingUp: CatchUpRequest(mailboxGUID: "no-such-guid", sinceModSeq: 1))
        #expect(gone.caughtUp != nil && gone.caughtUp?.changes == nil)
        #expect(try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: UIDSet([3]), in: inbox).caughtUp == nil)
    }

    @Test func copyIsByReferenceAndExpungeDeletesTheLastOne() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        let archive = try await index.createMailbox(name: "Archive", guid: "g1", uidValidity: 2).id
        _ = try await index.appendMessages((1...3).map { newMessage($0, keywords: ["work"]) }, toMailbox: inbox)
        let copied = try await index.copyMessages(UIDSet(ranges: [2...3]), from: inbox, to: archive)
        #expect(copied.sourceUIDs == [2, 3] && copied.destinationUIDs == [1, 2] && copied.uidValidity == 2)
        #expect(try await index.referenceCount(of: newMessage(2).objectKey) == 2)
        #expect(try await index.messageStates(in: archive).map(\.keywords) == [["work"], ["work"]])

        let first = try await index.expungeMessages(UIDSet(ranges: [1...3]), in: inbox)
        #expect(first.expungedUIDs == [1, 2, 3])
        #expect(first.releasedObjects == [newMessage(1).objectKey])
        let second = try await index.expungeMessages(.all, in: archive)
        #expect(Set(second.releasedObjects) == [newMessage(2).objectKey, newMessage(3).objectKey])
        #expect(try await index.pendingObjectDeletes().count == 3)
        #expect(try await index.expungedUIDs(in: inbox, since: 1) == [1, 2, 3])
        #expect(try await index.expungedUIDs(in: inbox, since: first.modSeq).isEmpty)
    }

    @Test func moveKeepsTheObjectAndLogsTheExpunge() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        let trash = try await index.createMailbox(name: "Trash", guid: "g1", uidValidity: 2).id
        _ = try await index.appendMessages([newMessage(1), newMessage(2)], toMailbox: inbox)
        let (copied, expunged) = try await index.moveMessages(UIDSet([2]), from: inbox, to: trash)
        #expect(copied.destinationUIDs == [1] && expunged.expungedUIDs == [2])
        #expect(expunged.releasedObjects.isEmpty)
        #expect(try await index.referenceCount(of: newMessage(2).objectKey) == 1)
        #expect(try await index.messageStates(in: inbox).map(\.uid) == [1])
        #expect(try await index.messages(.all, in: trash).map(\.objectKey) == [newMessage(2).objectKey])
    }

    @Test func storeFlagsBumpsModSeqOnlyForRealChanges() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages([newMessage(1, flags: [.seen]), newMessage(2)], toMailbox: inbox)
        let added = try await index.storeFlags(FlagChange(.add, flags: [.seen], keywords: ["Important"]), on: .all, in: inbox)
        #expect(added.changed.map(\.uid) == [1, 2])
        #expect(added.changed.allSatisfy { $0.modSeq == 3 && $0.flags == [.seen] && $0.keywords == ["Important"] })
        let again = try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: .all, in: inbox)
        #expect(again.changed.isEmpty)
        let removed = try await index.storeFlags(FlagChange(.remove, flags: [], keywords: ["IMPORTANT"]), on: UIDSet([2]), in: inbox)
        #expect(removed.changed == [MessageState(uid: 2, flags: [.seen], keywords: [], modSeq: 4)])
        let replaced = try await index.storeFlags(FlagChange(.replace, flags: [.deleted, .draft]), on: UIDSet([1]), in: inbox)
        #expect(replaced.changed == [MessageState(uid: 1, flags: [.deleted, .draft], keywords: [], modSeq: 5)])
        #expect(try await index.changedMessages(in: inbox, since: 4).map(\.uid) == [1])
    }

    @Test func unchangedSinceRefusesNewerMessages() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages([newMessage(1)], toMailbox: inbox) // modseq 2
        _ = try await index.appendMessages([newMessage(2)], toMailbox: inbox) // modseq 3
        let result = try await index.storeFlags(FlagChange(.add, flags: [.flagged]), on: .all, in: inbox, unchangedSince: 2)
        #expect(result.changed.map(\.uid) == [1])
        #expect(result.modifiedSince == [2])
    }

    @Test func recentBelongsToTheFirstSessionOnly() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages([newMessage(1), newMessage(2)], toMailbox: inbox)
        #expect(try await index.claimRecent(in: inbox) == 1)
        #expect(try await index.claimRecent(in: inbox) == 3)
        _ = try await index.appendMessages([newMessage(3)], toMailbox: inbox)
        #expect(try await index.claimRecent(in: inbox) == 3)
    }

    @Test func keywordLimitIsATypedError() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages([newMessage(1, keywords: (0..<63).map { "k\($0)" })], toMailbox: inbox)
        await #expect(throws: IndexError.tooManyKeywords(user: "user@example.com", mailbox: "INBOX", limit: 63)) {
            _ = try await index.storeFlags(FlagChange(.add, flags: [], keywords: ["one-too-many"]), on: .all, in: inbox)
        }
    }

    @Test func uidSetMergesAndChunks() {
        var set = UIDSet([5, 1, 2, 3, 9])
        #expect(set.ranges == [1...3, 5...5, 9...9])
        set.insert(4...8)
        #expect(set.ranges == [1...9])
        set.insert(10...UInt32.max)
        #expect(set.ranges == [1...UInt32.max])
        #expect(UIDSet((1...2000).map { $0 * 2 }).sqlConditions.count == 5)
        #expect(UIDSet([1, 3]).contains(3) && !UIDSet([1, 3]).contains(2))
    }
}

/// Reads use one dedicated connection and fall back to the pool's readers while it is busy.
@Suite struct UserIndexReaderTests {
    @Test func aReadWhileTheDedicatedReaderIsBusyUsesThePoolAndSeesTheSameData() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages((1...3).map { newMessage($0) }, toMailbox: inbox)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let heldCounts = Mutex<[Int]>([])
        // A thread of its own holds the dedicated reader inside a read (its snapshot taken) until released.
        Thread {
            let counts = try? index.readSynchronously { db in
                let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? -1
                started.signal()
                release.wait()
                return [before, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message") ?? -1]
            }
            heldCounts.withLock { $0 = counts ?? [] }
            finished.signal()
        }.start()
        started.wait()
        // Meanwhile a write and a read: the read must not wait for the first one, and sees the write.
        _ = try await index.appendMessages([newMessage(4)], toMailbox: inbox)
        #expect(try await index.messageStates(in: inbox).map(\.uid) == [1, 2, 3, 4])
        release.signal()
        finished.wait()
        // The held read kept the snapshot it started with.
        #expect(heldCounts.withLock { $0 } == [3, 3])
        #expect(try await index.messageStates(in: inbox).map(\.uid) == [1, 2, 3, 4])
    }
}

@Suite struct CatchUpRecentTests {
    @Test func aWriteAskedToClaimRecentTakesOnlyMessagesPastTheViewsUIDNext() async throws {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "g0", uidValidity: 1).id
        _ = try await index.appendMessages((1...2).map { newMessage($0) }, toMailbox: inbox)
        let seen = try #require(try await index.mailbox(guid: "g0"))
        #expect(try await index.claimRecent(in: inbox) == 1)
        // Nothing new past what the view saw: nothing taken, even though the write asked.
        let asked = CatchUpRequest(mailboxGUID: "g0", sinceModSeq: seen.highestModSeq, claimingRecentAfter: seen.uidNext)
        let flagged = try await index.storeFlags(FlagChange(.add, flags: [.seen]), on: UIDSet([1]), in: inbox, catchingUp: asked)
        #expect(flagged.caughtUp?.claimedRecent == nil)
        // The session's own APPEND: UID 3 becomes this session's, and the mailbox shows it taken.
        let appended = try await index.appendMessages([newMessage(3)], toMailbox: inbox, catchingUp: asked)
        #expect(appended.caughtUp?.claimedRecent == 3 && appended.caughtUp?.changes?.mailbox.firstRecentUID == 4)
        #expect(try await index.mailbox(guid: "g0")?.firstRecentUID == 4)
        // Not asked: the write leaves \Recent to whoever claims it.
        let plain = CatchUpRequest(mailboxGUID: "g0", sinceModSeq: seen.highestModSeq)
        let other = try await index.appendMessages([newMessage(4)], toMailbox: inbox, catchingUp: plain)
        #expect(other.caughtUp?.claimedRecent == nil && other.caughtUp?.changes?.mailbox.firstRecentUID == 4)
        #expect(try await index.claimRecent(in: inbox) == 4)
    }
}
