import IMAPProtocol
import MailModel
import ObjectMail

/// An untagged response that tells the client how the selected mailbox changed.
enum MailboxViewUpdate: Sendable, Equatable {
    case expunge(sequence: SequenceNumber, uid: UInt32)
    case exists(UInt32)
    case recent(UInt32)
    /// Flags of a message changed (by another session, or by this one outside STORE).
    case flags(sequence: SequenceNumber, MessageState)
}

/// The selected mailbox as the client knows it: sequence numbers map to UIDs by position.
///
/// The index is the truth; this view follows it only at moments the protocol allows. New messages
/// can be announced at any command's end (EXISTS only grows the numbering); removed messages stay
/// in the view — and keep their sequence numbers — until an EXPUNGE response may be sent, which
/// RFC 3501 §7.4.1 forbids during FETCH, STORE and SEARCH.
struct MailboxView: Sendable {
    /// The client's messages in sequence order (ascending UIDs), with their last announced state.
    private(set) var messages: [MessageState]
    /// Messages of this session that are \Recent.
    private(set) var recent: Set<UInt32>
    /// The UIDs a SEARCH RETURN (SAVE) kept for `$` (RFC 5182); expunged ones drop out by themselves
    /// because `$` is resolved against `messages`.
    var savedSearch: [UInt32] = []
    /// The keywords the client has been told of with FLAGS; starts with those the messages use.
    var keywords: AnnouncedKeywords

    init(messages: [MessageState], firstRecentUID: UInt32) {
        self.messages = messages.sorted { $0.uid < $1.uid }
        recent = Set(self.messages.lazy.map(\.uid).filter { $0 >= firstRecentUID })
        keywords = AnnouncedKeywords(messages.lazy.flatMap(\.keywords))
    }

    var count: UInt32 { UInt32(messages.count) }
    var uids: [UInt32] { messages.map(\.uid) }
    var largestUID: UInt32 { messages.last?.uid ?? 0 }

    /// 1-based sequence number of a UID in the view.
    func sequence(of uid: UInt32) -> SequenceNumber? {
        index(of: uid).map { SequenceNumber(position: $0) }
    }

    /// The number a response names a message by (SEARCH, SORT, THREAD, MODIFIED, context updates): its UID in
    /// answer to a UID command, else its sequence number; nil when the message is not in the view.
    func number(of uid: UInt32, byUID: Bool) -> UInt32? {
        byUID ? uid : sequence(of: uid)?.rawValue
    }

    func state(of uid: UInt32) -> MessageState? {
        index(of: uid).map { messages[$0] }
    }

    private func index(of uid: UInt32) -> Int? {
        var low = 0
        var high = messages.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let value = messages[middle].uid
            if value == uid { return middle }
            if value < uid { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// The UIDs a sequence set names, in ascending order; `*` is the last message (or largest UID).
    /// Sequence numbers beyond the view and UIDs not in it are left out.
    func uids(in set: SequenceSet, byUID: Bool) -> [UInt32] {
        if case .lastSearchResult = set { return savedSearch.filter { index(of: $0) != nil } }
        if byUID {
            guard let ranges = set.resolvedRanges(largest: largestUID) else { return [] }
            return messages.lazy.map(\.uid).filter { uid in ranges.contains { $0.contains(uid) } }
        }
        guard let ranges = set.resolvedRanges(largest: count) else { return [] }
        var result: [UInt32] = []
        for range in ranges {
            let lower = max(Int(range.lowerBound), 1)
            let upper = min(Int(range.upperBound), messages.count)
            guard lower <= upper else { continue }
            result.append(contentsOf: messages[(lower - 1)...(upper - 1)].map(\.uid))
        }
        return result
    }

    /// False when a sequence set names numbers beyond the view (RFC 3501 asks for BAD then; UIDs
    /// that do not exist are simply left out).
    func isValid(_ set: SequenceSet, byUID: Bool) -> Bool {
        guard !byUID, case .ranges(let ranges) = set else { return true }
        return ranges.allSatisfy { range in
            [range.first, range.last].allSatisfy { end in
                if case .number(let number) = end { return number <= count } else { return true }
            }
        }
    }

    /// Records flag changes this session made and reported itself, so they are not reported twice.
    mutating func noteOwnChanges(_ states: [MessageState]) {
        for state in states {
            if let position = index(of: state.uid) { messages[position] = state }
        }
    }

    /// The index's messages after `changes`, built from this view instead of read again: valid only while
    /// the view holds exactly the index's state as of the MODSEQ the changes start from (nothing held back).
    /// Nil when the result does not add up to the index's message count, so the caller reads everything.
    func applying(_ changes: MailboxDelta) -> [MessageState]? {
        guard let expected = changes.messageCount else { return messages }
        let expunged = Set(changes.expunged)
        var changed: [UInt32: MessageState] = [:]
        changed.reserveCapacity(changes.changed.count)
        for state in changes.changed { changed[state.uid] = state }
        var result: [MessageState] = []
        result.reserveCapacity(expected)
        for state in messages where !expunged.contains(state.uid) {
            result.append(changed.removeValue(forKey: state.uid) ?? state)
        }
        // What is left is new to this view; below its largest UID would mean it missed something.
        let added = changed.values.sorted { $0.uid < $1.uid }
        guard added.first.map({ $0.uid > largestUID }) ?? true else { return nil }
        result += added
        return result.count == expected ? result : nil
    }

    /// Brings the view to the index's state `current` and returns what to tell the client.
    /// Without `allowExpunge`, removed messages stay in the view; they are reported later.
    /// `firstRecentUID` marks new messages from that UID up as this session's \Recent.
    /// Without `announceNew`, new messages stay out of the view (and unannounced) for now.
    mutating func reconcile(
        with current: [MessageState], allowExpunge: Bool, firstRecentUID: UInt32 = .max,
        announceNew: Bool = true
    ) -> [MailboxViewUpdate] {
        // Runs after every change a session sees, over the whole mailbox: a merge of two UID-ordered
        // lists rather than a dictionary of the mailbox built each time.
        let current = current.isOrderedByUID ? current : current.sorted { $0.uid < $1.uid }
        var match = Self.positions(of: messages, in: current)
        var updates: [MailboxViewUpdate] = []
        if allowExpunge {
            // Highest first, so each number refers to the view as it is after the previous EXPUNGE.
            for position in messages.indices.reversed() where match[position] == nil {
                updates.append(.expunge(sequence: SequenceNumber(position: position), uid: messages[position].uid))
                recent.remove(messages[position].uid)
                messages.remove(at: position)
                match.remove(at: position)
            }
        }
        for position in messages.indices {
            guard let found = match[position] else { continue }
            let now = current[found]
            let before = messages[position]
            if now.flags != before.flags || (now.keywords != before.keywords && Set(now.keywords) != Set(before.keywords)) {
                updates.append(.flags(sequence: SequenceNumber(position: position), now))
            }
            messages[position] = now
        }
        let largest = largestUID
        // `current` is in UID order: what is new to the view is its tail after the last UID the view has.
        let firstNew = current.lastIndex { $0.uid <= largest }.map { $0 + 1 } ?? current.startIndex
        let added = announceNew ? Array(current[firstNew...]) : []
        if !added.isEmpty {
            messages.append(contentsOf: added)
            for state in added where state.uid >= firstRecentUID { recent.insert(state.uid) }
            updates.append(.exists(count))
        }
        // Like Dovecot, RECENT goes with EXISTS; after an EXPUNGE the client counts for itself.
        if !added.isEmpty { updates.append(.recent(UInt32(recent.count))) }
        // FETCH responses refer to sequence numbers after any EXPUNGE and EXISTS above.
        let flagUpdates = updates.filter { if case .flags = $0 { return true } else { return false } }
        let rest = updates.filter { if case .flags = $0 { return false } else { return true } }
        return rest + flagUpdates
    }

    /// For each of `view`'s messages, where it is in `current` (both in UID order), or nil if it is gone.
    private static func positions(of view: [MessageState], in current: [MessageState]) -> [Int?] {
        var result = [Int?](repeating: nil, count: view.count)
        var next = current.startIndex
        for (position, state) in view.enumerated() {
            while next < current.endIndex, current[next].uid < state.uid { next += 1 }
            if next < current.endIndex, current[next].uid == state.uid { result[position] = next }
        }
        return result
    }
}

extension Array where Element == MessageState {
    var isOrderedByUID: Bool { zip(self, dropFirst()).allSatisfy { $0.uid < $1.uid } }
}
