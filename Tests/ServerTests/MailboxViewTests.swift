import IMAPProtocol
import MailModel
import Testing

@testable import ObjectMail
@testable import Server

/// The selected mailbox's sequence-number bookkeeping (RFC 3501 §7.4.1), without a server.
@Suite struct MailboxViewTests {
    func state(_ uid: UInt32, _ flags: MessageFlags = [], keywords: [String] = [], modSeq: Int64 = 1) -> MessageState {
        MessageState(uid: uid, flags: flags, keywords: keywords, modSeq: modSeq)
    }

    func view(_ uids: [UInt32], firstRecentUID: UInt32 = .max) -> MailboxView {
        MailboxView(messages: uids.map { state($0) }, firstRecentUID: firstRecentUID)
    }

    @Test func sequenceNumbersFollowUIDOrder() {
        let view = view([7, 3, 12])
        #expect(view.uids == [3, 7, 12])
        #expect(view.sequence(of: 12) == 3)
        #expect(view.sequence(of: 8) == nil)
        #expect(view.uids(in: .ranges([SequenceRange(.number(2), .last)]), byUID: false) == [7, 12])
        #expect(view.uids(in: .ranges([SequenceRange(.number(5), .number(9))]), byUID: false) == [])
        #expect(view.uids(in: .ranges([SequenceRange(.number(4), .last)]), byUID: true) == [7, 12])
        // `UID n:*` with n above every UID still names the last message (RFC 3501 §6.4.8).
        #expect(view.uids(in: .ranges([SequenceRange(.number(20), .last)]), byUID: true) == [12])
    }

    @Test func sequenceNumbersBeyondTheViewAreInvalid() {
        let view = view([3, 7])
        #expect(view.isValid(.ranges([SequenceRange(.number(1), .last)]), byUID: false))
        #expect(!view.isValid(.ranges([SequenceRange(.number(3))]), byUID: false))
        #expect(view.isValid(.ranges([SequenceRange(.number(300))]), byUID: true))
    }

    @Test func savedSearchResultFollowsExpunges() {
        // SEARCHRES (RFC 5182): `$` names the saved UIDs still in the view, in both UID and sequence commands.
        var view = view([2, 4, 6, 8])
        view.savedSearch = [4, 8]
        #expect(view.uids(in: .lastSearchResult, byUID: true) == [4, 8])
        #expect(view.uids(in: .lastSearchResult, byUID: false) == [4, 8])
        #expect(view.isValid(.lastSearchResult, byUID: false))
        _ = view.reconcile(with: [state(2), state(8)], allowExpunge: true)
        #expect(view.uids(in: .lastSearchResult, byUID: true) == [8])
        #expect(view.sequence(of: 8) == 2)
    }

    @Test func recentMessagesStartAtTheClaimedUID() {
        let view = view([1, 2, 3], firstRecentUID: 2)
        #expect(view.recent == [2, 3])
    }

    @Test func newMessagesAreAnnouncedWithExistsAndRecent() {
        var view = view([1, 2])
        let updates = view.reconcile(with: [state(1), state(2), state(5)], allowExpunge: false, firstRecentUID: 5)
        #expect(updates == [.exists(3), .recent(1)])
        #expect(view.sequence(of: 5) == 3)
        #expect(view.recent == [5])
    }

    @Test func expungesWaitUntilAllowedAndKeepNumbering() {
        var view = view([1, 2, 3, 4])
        // Another session removed 2 and 4 and added 9: during FETCH only EXISTS may go out.
        let current = [state(1), state(3), state(9)]
        #expect(view.reconcile(with: current, allowExpunge: false) == [.exists(5), .recent(0)])
        #expect(view.uids == [1, 2, 3, 4, 9])
        #expect(view.sequence(of: 9) == 5)
        // At the next allowed moment: highest first, so every number is valid when it is read.
        #expect(view.reconcile(with: current, allowExpunge: true) == [.expunge(sequence: 4, uid: 4), .expunge(sequence: 2, uid: 2)])
        #expect(view.uids == [1, 3, 9])
        #expect(view.sequence(of: 9) == 3)
        #expect(view.reconcile(with: current, allowExpunge: true) == [])
    }

    @Test func flagChangesFollowExpungesInNewNumbers() {
        var view = view([1, 2, 3])
        let updates = view.reconcile(with: [state(1), state(3, [.seen], modSeq: 4)], allowExpunge: true)
        #expect(updates == [.expunge(sequence: 2, uid: 2), .flags(sequence: 2, state(3, [.seen], modSeq: 4))])
    }

    @Test func keywordOrderIsNoChangeAndUnorderedStatesAreReconciledAlike() {
        var view = MailboxView(messages: [state(1, keywords: ["a", "b"]), state(2), state(5)], firstRecentUID: .max)
        // The index may list keywords in another order; the same set is no flag change.
        #expect(view.reconcile(with: [state(1, keywords: ["b", "a"]), state(2), state(5)], allowExpunge: true) == [])
        // States out of UID order (a caller's own list) give the same answer as ordered ones.
        let updates = view.reconcile(with: [state(7), state(5, [.flagged]), state(1, keywords: ["a"])], allowExpunge: true)
        #expect(
            updates == [
                .expunge(sequence: 2, uid: 2), .exists(3), .recent(0),
                .flags(sequence: 1, state(1, keywords: ["a"])), .flags(sequence: 2, state(5, [.flagged]))
            ])
        #expect(view.uids == [1, 5, 7])
    }

    @Test func ownChangesAreNotReportedAgain() {
        var view = view([1, 2])
        view.noteOwnChanges([state(2, [.flagged], keywords: ["$Label1"], modSeq: 3)])
        #expect(view.state(of: 2)?.flags == [.flagged])
        #expect(view.reconcile(with: [state(1), state(2, [.flagged], keywords: ["$Label1"], modSeq: 3)], allowExpunge: true) == [])
    }

    func mailbox() -> Mailbox {
        Mailbox(
            id: MailboxID(1), guid: "g", name: "INBOX", uidValidity: 1, uidNext: 10, highestModSeq: 5, firstRecentUID: 10,
            specialUse: nil)
    }

    @Test func changesAppliedToTheViewGiveTheIndexState() {
        let view = view([1, 2, 3, 4])
        let changes = MailboxDelta(
            mailbox: mailbox(), changed: [state(2, .seen, modSeq: 6), state(7, modSeq: 7)],
            expunged: [3, 99], messageCount: 4)
        #expect(view.applying(changes) == [state(1), state(2, .seen, modSeq: 6), state(4), state(7, modSeq: 7)])
        // Nothing changed: the view as it is.
        #expect(view.applying(MailboxDelta(mailbox: mailbox(), changed: [], expunged: [], messageCount: nil)) == view.messages)
    }

    @Test func changesThatDoNotAddUpAreRefused() {
        let view = view([1, 2, 3])
        // A row gone without an expunge record (a merge dropped it): the count tells.
        #expect(view.applying(MailboxDelta(mailbox: mailbox(), changed: [], expunged: [], messageCount: 2)) == nil)
        // A changed message below the view's largest UID that the view never had.
        #expect(view.applying(MailboxDelta(mailbox: mailbox(), changed: [state(0)], expunged: [], messageCount: 4)) == nil)
    }
}
