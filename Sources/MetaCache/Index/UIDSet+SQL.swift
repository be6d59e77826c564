import MailModel

extension UIDSet {
    /// SQL conditions on the column `uid` with their arguments, in chunks small enough for
    /// SQLite's limit on bound variables.
    var sqlConditions: [(sql: String, arguments: [UInt32])] {
        stride(from: 0, to: ranges.count, by: 400).map { start in
            let chunk = ranges[start..<Swift.min(start + 400, ranges.count)]
            let parts = chunk.map { $0.lowerBound == $0.upperBound ? "uid = ?" : "uid BETWEEN ? AND ?" }
            let arguments = chunk.flatMap { $0.lowerBound == $0.upperBound ? [$0.lowerBound] : [$0.lowerBound, $0.upperBound] }
            return ("(" + parts.joined(separator: " OR ") + ")", arguments)
        }
    }
}
