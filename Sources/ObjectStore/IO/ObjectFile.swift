import Foundation
import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk form of an object, used by the posix driver and by the fscache:
/// the object's bytes, then a small trailer with its metadata, then a fixed 24-byte footer.
///
///     [data][trailer: "name\tvalue\n" lines][trailer length: UInt64 LE][data length: UInt64 LE]["OMOBJ01\n"]
///
/// Why one file and not a sidecar or xattrs: data and metadata reach their final name in one
/// `rename`, so a crash can never pair new bytes with old (or missing) metadata; xattrs are not
/// supported on every file system (tmpfs without user xattrs, some overlays) and are lost by
/// plain `cp`. The data comes first so ranges are plain offsets and `head -c SIZE` recovers a mail.
/// A file without the footer (dropped in by an operator) reads as a plain object without metadata.
package struct ObjectFileTrailer: Sendable, Equatable {
    package var metadata: [String: String]
    package var contentType: String?
    /// The object's key: the cache stores it to detect hash collisions.
    package var key: String?
    package var lastModified: Date?
    package var etag: String?

    package init(
        metadata: [String: String] = [:], contentType: String? = nil, key: String? = nil,
        lastModified: Date? = nil, etag: String? = nil
    ) {
        self.metadata = metadata
        self.contentType = contentType
        self.key = key
        self.lastModified = lastModified
        self.etag = etag
    }

    // System fields start with ":" — metadata names never do (they are S3 header names).
    package func encoded(dataLength: Int64) -> [UInt8] {
        var text = ""
        func line(_ name: String, _ value: String) {
            text += Self.escape(name) + "\t" + Self.escape(value) + "\n"
        }
        if let contentType { line(":content-type", contentType) }
        if let key { line(":key", key) }
        if let lastModified { line(":mtime", String(lastModified.timeIntervalSince1970)) }
        if let etag { line(":etag", etag) }
        for name in metadata.keys.sorted() { line(name, metadata[name]!) }
        var bytes = Array(text.utf8)
        let trailerLength = UInt64(bytes.count)
        withUnsafeBytes(of: trailerLength.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(dataLength).littleEndian) { bytes += $0 }
        bytes += ObjectFile.magic
        return bytes
    }

    /// A byte loop over the buffer: every fscache hit and posix GET decodes one, and the generic `split` and
    /// Substring-based version (with String's Character-wise split before it) dominated a FETCH of headers (docs/performance.md).
    package static func decode(_ bytes: [UInt8]) -> ObjectFileTrailer? {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> ObjectFileTrailer? {
        var trailer = ObjectFileTrailer()
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            if lineEnd == lineStart { continue }
            var tab = lineStart
            while tab < lineEnd && bytes[tab] != 0x09 { tab += 1 }
            guard tab < lineEnd, let name = text(bytes, lineStart..<tab), let value = text(bytes, (tab + 1)..<lineEnd) else { return nil }
            switch name {
            case ":content-type": trailer.contentType = value
            case ":key": trailer.key = value
            case ":mtime": trailer.lastModified = Double(value).map { Date(timeIntervalSince1970: $0) }
            case ":etag": trailer.etag = value
            default: trailer.metadata[name] = value
            }
        }
        return trailer
    }

    /// The unescaped text of `range`, nil when it is not UTF-8.
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        guard let text = String(validating: slice, as: UTF8.self) else { return nil }
        return slice.contains(0x25) ? unescape(text) : text
    }

    private static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x25 || $0 == 0x09 || $0 == 0x0A }) else { return text }
        return text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "%09", with: "\t")
            .replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%25", with: "%")
    }
}

package enum ObjectFile {
    static let magic: [UInt8] = Array("OMOBJ01\n".utf8)
    static let footerLength: Int64 = 24

    /// What `open` found: the object's data length, its trailer, and the file's modification time.
    package struct Header: Sendable {
        package var dataLength: Int64
        package var trailer: ObjectFileTrailer
        package var modified: Date
        /// The whole data, when the file was small enough to read in one call.
        package var data: [UInt8]?
        /// Data, trailer and footer: what the file occupies.
        package var fileSize: Int64

        package func info(key: String) -> ObjectInfo {
            ObjectInfo(
                key: key, size: dataLength, lastModified: trailer.lastModified ?? modified,
                etag: trailer.etag, metadata: trailer.metadata)
        }
    }

    /// Reads the footer and trailer. A file without a valid footer is a plain object with no metadata;
    /// with `requireFooter` (the cache) it is rejected instead, since every cache file has one.
    ///
    /// One `pread` of the file's tail usually gets footer and trailer together; files up to
    /// `wholeFileLimit` bytes are read whole in that one call and their data kept in `Header.data`,
    /// so serving a small object costs open, fstat, one read and close.
    package static func readHeader(
        _ fd: borrowing FileDescriptor, requireFooter: Bool = false,
        wholeFileLimit: Int64 = 0
    ) throws -> Header? {
        let (fileSize, modified) = try fd.status()
        let tailLength = fileSize <= wholeFileLimit ? fileSize : min(fileSize, 4096)
        let tail = try fd.read(count: Int(tailLength), at: fileSize - tailLength)
        let tailStart = fileSize - Int64(tail.count)
        if tail.count >= Int(footerLength) {
            let footer = tail[(tail.count - Int(footerLength))...]
            if footer.suffix(8).elementsEqual(magic) {
                let trailerLength = Int64(littleEndianBytes: footer.prefix(8))
                let dataLength = Int64(littleEndianBytes: footer.dropFirst(8).prefix(8))
                if trailerLength >= 0, dataLength >= 0, dataLength + trailerLength + footerLength == fileSize {
                    let trailerBytes =
                        dataLength >= tailStart
                        ? Array(tail[Int(dataLength - tailStart)..<(tail.count - Int(footerLength))])
                        : try fd.read(count: Int(trailerLength), at: dataLength)
                    if let trailer = ObjectFileTrailer.decode(trailerBytes) {
                        var header = Header(dataLength: dataLength, trailer: trailer, modified: modified, fileSize: fileSize)
                        if tailStart == 0 { header.data = Array(tail[0..<Int(dataLength)]) }
                        return header
                    }
                }
            }
        }
        if requireFooter { return nil }
        var header = Header(dataLength: fileSize, trailer: ObjectFileTrailer(), modified: modified, fileSize: fileSize)
        if tailStart == 0 { header.data = tail }
        return header
    }

    /// Reads `positions` of the object's data, from `header.data` when the file was read whole.
    package static func readData(_ fd: borrowing FileDescriptor, header: Header, positions: ClosedRange<Int64>?) throws -> [UInt8] {
        guard let positions else { return [] }
        if let data = header.data {
            return positions.lowerBound == 0 && positions.upperBound == Int64(data.count) - 1
                ? data : Array(data[Int(positions.lowerBound)...Int(positions.upperBound)])
        }
        return try fd.read(count: Int(positions.upperBound - positions.lowerBound + 1), at: positions.lowerBound)
    }

    /// Writes data (from memory or streamed from a file) and the trailer into a new file at `path`,
    /// optionally fsyncing it. The caller renames or links it into place.
    /// Returns the file's size.
    @discardableResult
    package static func write(to path: String, body: ObjectBody, trailer: ObjectFileTrailer, sync: Bool) throws -> Int64 {
        do {
            let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            let length: Int64
            let encodedTrailer: [UInt8]
            switch body {
            case .bytes(let bytes):
                // One write for data and trailer: small objects cost a single system call.
                length = Int64(bytes.count)
                encodedTrailer = trailer.encoded(dataLength: length)
                try fd.write(bytes + encodedTrailer)
            case .file(let sourcePath):
                let source = try FileDescriptor.open(sourcePath, flags: O_RDONLY)
                length = try source.size()
                encodedTrailer = trailer.encoded(dataLength: length)
                try fd.copy(from: source, offset: 0, length: length)
                try fd.write(encodedTrailer)
            }
            if sync { try fd.sync() }
            return length + Int64(encodedTrailer.count)
        } catch {
            try? FileSystem.removeFile(path)
            throw error
        }
    }

    /// Writes `data` with a new trailer after it: the data part of an existing object file is copied.
    package static func writeCopy(
        of source: borrowing FileDescriptor, dataLength: Int64, to path: String,
        trailer: ObjectFileTrailer, sync: Bool
    ) throws {
        do {
            let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            try fd.copy(from: source, offset: 0, length: dataLength)
            try fd.write(trailer.encoded(dataLength: dataLength))
            if sync { try fd.sync() }
        } catch {
            try? FileSystem.removeFile(path)
            throw error
        }
    }

    /// Streams `range` of the data to a new file at `path` (via a temporary name beside it, so no
    /// partial file is ever visible at `path`).
    package static func copyData(of source: borrowing FileDescriptor, range: ClosedRange<Int64>?, to path: String) throws {
        let temporary = path + "." + FileSystem.temporaryName(prefix: "part")
        do {
            let fd = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            if let range {
                try fd.copy(from: source, offset: range.lowerBound, length: range.upperBound - range.lowerBound + 1)
            }
            try FileSystem.rename(temporary, to: path)
        } catch {
            try? FileSystem.removeFile(temporary)
            throw error
        }
    }
}

extension Int64 {
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        self = Int64(bitPattern: value)
    }
}

extension ObjectFile {
    /// `download` for layers that hold the object in memory: writes `bytes` to a temporary name
    /// beside `path` on an I/O thread, then renames it, so no partial file is ever left at `path`.
    package static func saveDownload(_ bytes: [UInt8], to path: String, key: String) async throws {
        do {
            try await BlockingPool.fileIO.run {
                let temporary = path + "." + FileSystem.temporaryName(prefix: "part")
                do {
                    let fd = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
                    try fd.write(bytes)
                    try FileSystem.rename(temporary, to: path)
                } catch {
                    try? FileSystem.removeFile(temporary)
                    throw error
                }
            }
        } catch {
            throw ObjectStoreError.io(key: key, detail: "\(error)")
        }
    }
}
