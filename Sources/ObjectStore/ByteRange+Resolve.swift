extension ByteRange {
    /// The inclusive byte positions this range selects in an object of `size` bytes, clipped to the
    /// end like S3 does; nil for an empty selection of an empty object. A range starting beyond
    /// the end fails like S3's 416 InvalidRange.
    public func resolve(size: Int64, key: String) throws -> ClosedRange<Int64>? {
        guard offset >= 0, length.map({ $0 > 0 }) ?? true else {
            throw ObjectStoreError.rejected(
                key: key, status: 416, code: "InvalidRange",
                message: "invalid range \(httpHeaderValue)", requestID: nil)
        }
        if size == 0 && offset == 0 { return nil }
        guard offset < size else {
            throw ObjectStoreError.rejected(
                key: key, status: 416, code: "InvalidRange",
                message: "range \(httpHeaderValue) starts beyond the object's \(size) bytes",
                requestID: nil)
        }
        let end = length.map { min(size, offset + $0) } ?? size
        return offset...(end - 1)
    }
}

extension Array where Element == UInt8 {
    /// The bytes `range` selects (all of them without a range).
    package func slice(_ range: ByteRange?, key: String) throws -> [UInt8] {
        guard let range else { return self }
        guard let positions = try range.resolve(size: Int64(count), key: key) else { return [] }
        return Array(self[Int(positions.lowerBound)...Int(positions.upperBound)])
    }
}
