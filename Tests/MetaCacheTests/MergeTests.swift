import Foundation
import MailModel
import Testing

@testable import MetaCache

/// Two backends' views of one folder are merged without losing a message (split brain, unclean restart).
@Suite struct MergeTests {
    /// Backend A's index: INBOX with messages 1…3 uploaded (the mark), then its own message 4.
    func backendA() async throws -> (UserIndex, Int64, UploadMark, MailboxBundle) {
        let (index, _) = try makeIndex()
        let inbox = try await index.createMailbox(name: "INBOX", guid: "0000inbox", uidValidity: 1000).id
        _ = try await index.appendMessages((1...3).map { newMessage($0, mailboxGUID: "0000inbox") }, toMailbox: inbox)
        let uploaded = try await index.exportMailbox(guid: "0000inbox", since: nil, previous: nil)
        let mark = UploadMark(modSeq: uploaded.highestModSeq, uidNext: uploaded.uidNext)
        _ = try await index.appendMessages([newMessage(40, mailboxGUID: "0000inbox")], toMailbox: inbox)
        return (index, inbox, mark, uploaded)
    }

    func rows(_ index: UserIndex, _ mailbox: Int64) async throws -> [String] {
        try await index.messageStates(in: mailbox).map { state in "\(state.uid):\(state.flags.rawValue):\(state.keywords)" }
    }

    @Test func foldsDiffsIncludingOnesWrittenAfterACrash() throws {
        let base = MailboxBundle(
            kind: .base, mailboxGUID: "g", previous: nil, sinceModSeq: 0, uidValidity: 7, uidNext: 3, highestModSeq: 2,
            createdAt: 0, keywords: [:], messages: [], expunged: [:])
        var diff = base
        diff.kind = .diff
        diff.previous = "b1"
        diff.uidNext = 5
        var superset = diff
        superset.uidNext = 6
        var chain = BundleChain()
        let first = chain.apply(base, name: "b1")
        #expect(first)
        let second = chain.apply(diff, name: "d1")
        #expect(second)
        // Written by the same backend after it died before recording d1: follows b1 again.
        let third = chain.apply(superset, name: "d2")
        #expect(third)
        #expect(chain.folded?.uidNext == 6 && chain.applied == ["b1", "d1", "d2"])
        var lost = diff
        lost.previous = "never-seen"
        let fourth = chain.apply(lost, name: "d3")
        #expect(!fourth)
        #expect(chain.broken && chain.applied.count == 3)
    }

    @Test func splitBrainKeepsEveryMessageAndRenumbersConflicts() async throws {
        let (index, inbox, mark, uploaded) = try await backendA()
        // Backend B loaded the uploaded state, flagged 2 with a keyword, expunged 3, and saved its own message as UID 4.
        var theirs = uploaded
        theirs.keywords = [0: "$Important"]
        theirs.messages = uploaded.messages.filter { $0.uid != 3 }.map { row in
            var copy = row
            if copy.uid == 2 {
                copy.flags = MessageFlags.seen.rawValue
                copy.keywords = 1
                copy.modSeq = uploaded.highestModSeq + 1
            }
            return copy
        }
        var bMessage = uploaded.messages[0]
        bMessage.uid = 4
        bMessage.guid = "b-message"
        bMessage.objectKey = "mailboxes/0000inbox/b-object"
        theirs.messages.append(bMessage)
        theirs.expunged = [3: uploaded.highestModSeq + 2]
        theirs.uidNext = 5
        theirs.highestModSeq = uploaded.highestModSeq + 3

        let before = try #require(try await index.mailbox(guid: "0000inbox"))
        let outcome = try await index.mergeMailbox(theirs, mark: mark)
        #expect(outcome.renumbered == 1 && outcome.removed == 1 && outcome.flagsTaken == 1 && outcome.added == 1)
        let messages = try await index.messages(.all, in: inbox)
        #expect(messages.map(\.uid) == [1, 2, 4, 5])
        #expect(messages.first { $0.uid == 4 }?.guid == "b-message")
        #expect(messages.first { $0.uid == 5 }?.guid == String(format: "%032x", 40))
        #expect(try await rows(index, inbox).contains("2:\(MessageFlags.seen.rawValue):[\"$Important\"]"))
        let after = try #require(try await index.mailbox(guid: "0000inbox"))
        #expect(after.uidValidity == before.uidValidity && after.uidNext == 6 && after.highestModSeq > theirs.highestModSeq)
        // Merging the same state again changes nothing.
        #expect(!(try await index.mergeMailbox(theirs, mark: UploadMark(modSeq: after.highestModSeq, uidNext: after.uidNext))).changed)
    }

    @Test func localFlagChangesAfterTheLastUploadWin() async throws {
        let (index, inbox, mark, uploaded) = try await backendA()
        _ = try await index.storeFlags(FlagChange(.add, flags: [.flagged]), on: UIDSet([1]), in: inbox)
        var theirs = uploaded
        theirs.messages[0].flags = MessageFlags.deleted.rawValue
        _ = try await index.mergeMailbox(theirs, mark: mark)
        #expect(try await index.messageStates(in: inbox).first?.flags == .flagged)
    }

    @Test func dropsRowsWhoseObjectsAreGone() async throws {
        let (index, inbox, _, _) = try await backendA()
        let gone = try #require(try await index.messages(UIDSet([2]), in: inbox).first?.objectKey)
        let before = try #require(try await index.mailbox(guid: "0000inbox")).highestModSeq
        let dropped = try await index.dropMessages(withObjects: [gone])
        #expect(dropped == [inbox: [2]])
        #expect(try await index.messages(.all, in: inbox).map(\.uid) == [1, 3, 4])
        #expect(try await index.expungedUIDs(in: inbox, since: before) == [2])
        #expect(!(try await index.referencedObjects()).contains(gone))
    }

    @Test func rootMergeAddsMailboxesWithoutRemovingLocalOnes() async throws {
        let (index, _, _, _) = try await backendA()
        _ = try await index.createMailbox(name: "Local", guid: "0000local", uidValidity: 1001)
        let root = RootBundle(
            mailboxes: [
                .init(guid: "0000inbox", name: "INBOX", uidValidity: 1000, specialUse: nil, createdAt: 0),
                .init(guid: "0000remote", name: "Local", uidValidity: 1002, specialUse: nil, createdAt: 0)
            ],
            subscriptions: ["Local"], state: ["last-uidvalidity": "5000"])
        #expect(try await index.mergeRoot(root) == 1)
        #expect(Set(try await index.mailboxes().map(\.name)) == ["INBOX", "Local", "Local-0000remo"])
        #expect(try await index.state("last-uidvalidity") == "5000")
    }
}
