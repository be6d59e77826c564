import NIOCore

/// Writes sets of numbers in the compact IMAP form `1:3,5`.
public enum SequenceSetFormatter {
    /// Sorts and merges `numbers` into ranges (for SEARCH ALL, VANISHED, MODIFIED).
    public static func compact(_ numbers: some Sequence<UInt32>) -> [ClosedRange<UInt32>] {
        SequenceSet.merge(numbers.sorted().map { $0...$0 })
    }

    /// Joins only neighbours in the given order, so `(5, 6, 2)` stays `5:6,2`: COPYUID pairs source and
    /// destination positions, so their order must survive.
    public static func runs(_ numbers: some Sequence<UInt32>) -> [ClosedRange<UInt32>] {
        var runs: [ClosedRange<UInt32>] = []
        for number in numbers {
            if let tail = runs.last, tail.upperBound != UInt32.max, tail.upperBound + 1 == number {
                runs[runs.count - 1] = tail.lowerBound...number
            } else {
                runs.append(number...number)
            }
        }
        return runs
    }

    public static func write(_ ranges: [ClosedRange<UInt32>], into buffer: inout ByteBuffer) {
        for (position, range) in ranges.enumerated() {
            if position > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeDecimal(range.lowerBound)
            if range.upperBound != range.lowerBound {
                buffer.writeInteger(UInt8(ascii: ":"))
                buffer.writeDecimal(range.upperBound)
            }
        }
    }

    public static func string(_ ranges: [ClosedRange<UInt32>]) -> String {
        var buffer = ByteBuffer()
        write(ranges, into: &buffer)
        return String(buffer: buffer)
    }
}

extension ByteBuffer {
    /// Decimal digits without going through String.
    @inlinable
    mutating func writeDecimal<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        if value < 10 {
            writeInteger(UInt8(truncatingIfNeeded: value) + 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var rest = UInt64(value)
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[23 - count] = UInt8(rest % 10) + 0x30
                rest /= 10
                count += 1
            }
        }
        withUnsafeBytes(of: &digits) { raw in
            _ = writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }
}
