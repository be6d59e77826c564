/// Positions of every LF in a message, found once with memchr, so line counts and CRLF ("virtual") sizes
/// of any byte range are two binary searches instead of a rescan.
struct LineIndex {
    private(set) var lineFeeds: [Int] = []
    /// LFs not preceded by CR: each adds one byte to the size served on the wire.
    private(set) var bareLineFeeds: [Int] = []

    init(_ buffer: UnsafeRawBufferPointer) {
        var pos = 0
        let n = buffer.count
        while let lf = buffer.firstIndex(of: ASCII.lf, from: pos, to: n) {
            lineFeeds.append(lf)
            if lf == 0 || buffer[lf - 1] != ASCII.cr { bareLineFeeds.append(lf) }
            pos = lf + 1
        }
    }

    func lines(_ range: Range<Int>) -> Int { Self.count(lineFeeds, range) }

    func virtualSize(_ range: Range<Int>) -> Int { range.count + Self.count(bareLineFeeds, range) }

    private static func count(_ sorted: [Int], _ range: Range<Int>) -> Int {
        lowerBound(sorted, range.upperBound) - lowerBound(sorted, range.lowerBound)
    }

    private static func lowerBound(_ sorted: [Int], _ value: Int) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
