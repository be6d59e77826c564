// A stand-in for the few NIOCore.ByteBuffer members the IMAP command parser and the LMTP DATA reader use, so their
// sources build for libFuzzer with swiftc alone (no SwiftPM, no NIO build). Built only by bench/fuzz/run-fuzz.sh,
// which drops the sources' `import NIOCore` lines. Semantics follow NIO: views and indices are absolute positions,
// getSlice answers nil outside the written bytes, equality compares the readable bytes.
public typealias ByteBufferView = ArraySlice<UInt8>

public struct ByteBuffer: Sendable, Hashable {
    private var storage: [UInt8]
    public private(set) var readerIndex = 0

    public init() { storage = [] }
    public init<S: Sequence>(bytes: S) where S.Element == UInt8 { storage = Array(bytes) }
    public init(string: String) { storage = Array(string.utf8) }

    public var writerIndex: Int { storage.count }
    public var readableBytes: Int { storage.count - readerIndex }
    public var readableBytesView: ByteBufferView { storage[readerIndex...] }

    public mutating func moveReaderIndex(forwardBy offset: Int) {
        precondition(offset >= 0 && readerIndex + offset <= storage.count, "moveReaderIndex past the written bytes")
        readerIndex += offset
    }

    public func withUnsafeReadableBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try storage[readerIndex...].withUnsafeBytes(body)
    }

    public func getSlice(at index: Int, length: Int) -> ByteBuffer? {
        guard index >= 0, length >= 0, index <= storage.count - length else { return nil }
        return ByteBuffer(bytes: storage[index..<(index + length)])
    }

    public static func == (lhs: ByteBuffer, rhs: ByteBuffer) -> Bool { lhs.readableBytesView == rhs.readableBytesView }
    public func hash(into hasher: inout Hasher) { hasher.combine(readableBytesView) }
}
