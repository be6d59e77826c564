/// A set of UIDs as sorted, non-overlapping ranges, so that `1:*` costs one range and not four billion.
public struct UIDSet: Sendable, Equatable, Sequence {
    public private(set) var ranges: [ClosedRange<UInt32>] = []

    public init() {}

    public init(_ uids: some Sequence<UInt32>) {
        for uid in uids { insert(uid...uid) }
    }

    public init(ranges: [ClosedRange<UInt32>]) {
        for range in ranges { insert(range) }
    }

    public static let all = UIDSet(ranges: [1...UInt32.max])

    public var isEmpty: Bool { ranges.isEmpty }

    public mutating func insert(_ range: ClosedRange<UInt32>) {
        var low = UInt64(range.lowerBound)
        var high = UInt64(range.upperBound)
        var kept: [ClosedRange<UInt32>] = []
        for existing in ranges {
            // Overlapping or adjacent ranges merge; UInt64 so that adjacency at UInt32.max cannot wrap.
            if UInt64(existing.lowerBound) <= high + 1 && low <= UInt64(existing.upperBound) + 1 {
                low = Swift.min(low, UInt64(existing.lowerBound))
                high = Swift.max(high, UInt64(existing.upperBound))
            } else {
                kept.append(existing)
            }
        }
        kept.append(UInt32(low)...UInt32(high))
        ranges = kept.sorted { $0.lowerBound < $1.lowerBound }
    }

    public func contains(_ uid: UInt32) -> Bool {
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < uid { low = middle + 1 } else if ranges[middle].lowerBound > uid { high = middle - 1 } else { return true }
        }
        return false
    }

    public func makeIterator() -> some IteratorProtocol<UInt32> {
        ranges.lazy.flatMap { $0 }.makeIterator()
    }
}
