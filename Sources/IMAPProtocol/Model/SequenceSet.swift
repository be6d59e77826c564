/// One end of a sequence range: a number or `*` (the largest number in use).
public enum SequenceBound: Sendable, Hashable {
    case number(UInt32)
    case last

    /// The number this stands for when `largest` is the highest sequence number or UID in the mailbox.
    public func resolved(largest: UInt32) -> UInt32 {
        switch self {
        case .number(let value): value
        case .last: largest
        }
    }
}

/// `a:b` or a single number; the ends may come in either order (`5:2` means `2:5`).
public struct SequenceRange: Sendable, Hashable {
    public var first: SequenceBound
    public var last: SequenceBound

    public init(_ first: SequenceBound, _ last: SequenceBound) {
        self.first = first
        self.last = last
    }

    public init(_ single: SequenceBound) { self.init(single, single) }

    public func resolved(largest: UInt32) -> ClosedRange<UInt32> {
        let a = first.resolved(largest: largest)
        let b = last.resolved(largest: largest)
        return min(a, b)...max(a, b)
    }
}

/// A sequence set as the client sent it: ranges with `*`, or `$` (the saved SEARCHRES result, RFC 5182).
public enum SequenceSet: Sendable, Hashable {
    case ranges([SequenceRange])
    case lastSearchResult

    /// Sorted, merged ranges in the shape `UIDSet(ranges:)` takes. `largest` replaces `*`; an empty mailbox
    /// (largest 0) still resolves `*` to 0 so that `UID FETCH 1:*` can be answered with nothing.
    public func resolvedRanges(largest: UInt32) -> [ClosedRange<UInt32>]? {
        guard case .ranges(let ranges) = self else { return nil }
        return SequenceSet.merge(ranges.map { $0.resolved(largest: largest) })
    }

    static func merge(_ input: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = input.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(sorted.count)
        for range in sorted {
            if let tail = merged.last, UInt64(range.lowerBound) <= UInt64(tail.upperBound) + 1 {
                merged[merged.count - 1] = tail.lowerBound...max(tail.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}
