import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// The `compress` wrapper (Dovecot's `compress:gz:LEVEL:` and `compress:maybe-gz:LEVEL:`):
/// objects are gzip-compressed on put and decompressed on read.
///
/// - Reads recognise compressed objects by gzip's magic bytes. With `maybe-gz`, objects without
///   them are passed through unchanged (a bucket written before compression was turned on);
///   with `gz` they are reported as corrupt, as Dovecot does.
/// - Ranges are served by decompressing the whole object and slicing (gzip cannot seek).
/// - The uncompressed size is stored in the metadata entry `uncompressed-size`, so `stat` and
///   listings report the size the client sees without downloading; the entry is hidden from callers.
/// - Bodies are compressed in memory (mail objects are at most tens of MB); `download`
///   decompresses from a temporary file in chunks.
public final class CompressObjectStore: ObjectStore {
    public enum Method: String, Sendable {
        case gz
        case maybeGz = "maybe-gz"
    }

    static let sizeMetadataName = "uncompressed-size"

    public let parent: any ObjectStore
    public let method: Method
    public let level: Int32

    public var description: String { "compress:\(method.rawValue):\(level):\(parent.description)" }

    public init(parent: any ObjectStore, method: Method, level: Int) {
        self.parent = parent
        self.method = method
        self.level = Int32(level)
    }

    static let factory: PipelineRegistry.WrapperFactory = { arguments, _ in
        guard let method = Method(rawValue: arguments[0]) else {
            throw PipelineArgumentError(index: 0, expected: "gz or maybe-gz")
        }
        guard let level = Int(arguments[1]), (1...9).contains(level) else {
            throw PipelineArgumentError(index: 1, expected: "a compression level from 1 to 9")
        }
        return { parent in CompressObjectStore(parent: parent, method: method, level: level) }
    }

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        let plain: [UInt8]
        do { plain = try body.loadBytes() } catch { throw ObjectStoreError.io(key: key, detail: "\(error)") }
        let compressed: [UInt8]
        do {
            compressed = try ZlibStream.compress(plain, format: .gzip, level: level)
        } catch {
            throw ObjectStoreError.io(key: key, detail: "\(error)")
        }
        var stored = options
        stored.metadata[Self.sizeMetadataName] = String(plain.count)
        try await parent.put(key, body: .bytes(compressed), options: stored)
    }

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        let stored = try await parent.get(key, range: nil)
        let plain = try decode(stored.body, key: key)
        var info = visible(stored.info)
        info.size = Int64(plain.count)
        return StoredObject(info: info, body: try plain.slice(range, key: key))
    }

    /// Streams: the stored object is downloaded to a temporary file beside `path` and decompressed
    /// from there chunk by chunk, keeping only the requested range.
    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        let storedPath = path + "." + FileSystem.temporaryName(prefix: "stored")
        let stored = try await parent.download(key, to: storedPath, range: nil)
        let method = self.method
        let size: Int64 = try await BlockingPool.fileIO.run {
            defer { try? FileSystem.removeFile(storedPath) }
            return try Self.decode(file: storedPath, range: range, to: path, method: method, key: key)
        }
        var info = visible(stored)
        info.size = size
        return info
    }

    /// Decodes the stored file into `path` (only `range` of it); returns the uncompressed size.
    private static func decode(file storedPath: String, range: ByteRange?, to path: String, method: Method, key: String) throws -> Int64 {
        let temporary = path + "." + FileSystem.temporaryName(prefix: "part")
        do {
            let source = try FileDescriptor.open(storedPath, flags: O_RDONLY)
            let output = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            let wanted = range ?? ByteRange(offset: 0)
            let start = wanted.offset
            let end = wanted.length.map { start + $0 } ?? Int64.max
            var position: Int64 = 0
            // Keeps the part of each decoded chunk that falls inside the range.
            func keep(_ chunk: UnsafeRawBufferPointer) throws {
                let chunkEnd = position + Int64(chunk.count)
                let from = max(start, position)
                let to = min(end, chunkEnd)
                if from < to { try output.write(UnsafeRawBufferPointer(rebasing: chunk[Int(from - position)..<Int(to - position)])) }
                position = chunkEnd
            }
            if isGzip(try source.read(count: 2, at: 0)) {
                do {
                    try decompress(source, emit: keep)
                } catch let failure as ZlibStream.Failure {
                    throw ObjectStoreError.corrupt(key: key, detail: failure.description)
                }
            } else if method == .maybeGz {
                let size = try source.size()
                if let positions = try wanted.resolve(size: size, key: key) {
                    try output.copy(from: source, offset: positions.lowerBound, length: positions.upperBound - positions.lowerBound + 1)
                }
                position = size
            } else {
                throw ObjectStoreError.corrupt(key: key, detail: "object is not gzip-compressed (use compress:maybe-gz: to read plain objects)")
            }
            _ = try wanted.resolve(size: position, key: key) // a range beyond the end fails like S3
            try FileSystem.rename(temporary, to: path)
            return position
        } catch let error as SystemCallError {
            try? FileSystem.removeFile(temporary)
            throw ObjectStoreError.io(key: key, detail: error.description)
        } catch {
            try? FileSystem.removeFile(temporary)
            throw error
        }
    }

    /// gzip's magic bytes, which is how reads tell compressed objects from plain ones.
    private static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Streams the decompressed bytes of the gzip file behind `source` to `emit`, 64 KiB at a time, so that a
    /// large object is never held in memory.
    private static func decompress(_ source: borrowing FileDescriptor, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let stream = try ZlibStream(decompressing: .gzip)
        let chunkSize = 64 * 1024
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { input.deallocate() }
        var offset: Int64 = 0
        while true {
            let got = try source.read(into: input, at: offset)
            guard got > 0 else { break }
            offset += Int64(got)
            try stream.process(UnsafeRawBufferPointer(rebasing: input[0..<got]), emit: emit)
        }
        try stream.requireFinished()
    }

    public func stat(_ key: String) async throws -> ObjectInfo {
        let info = try await parent.stat(key)
        if info.metadata[Self.sizeMetadataName] != nil { return visible(info) }
        // Written without this wrapper (or by Dovecot): only the data tells the size.
        return try await get(key, range: nil).info
    }

    public func delete(_ key: String) async throws {
        try await parent.delete(key)
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        try await parent.deleteMany(keys)
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        guard case .replace(var replacement) = metadata else {
            return try await parent.copy(from: source, to: destination, metadata: .copy)
        }
        // Keep the hidden size entry: it describes the bytes, which the copy keeps.
        if let size = try await parent.stat(source).metadata[Self.sizeMetadataName] {
            replacement[Self.sizeMetadataName] = size
        }
        try await parent.copy(from: source, to: destination, metadata: .replace(replacement))
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        var page = try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
        page.objects = page.objects.map(visible)
        return page
    }

    private func decode(_ bytes: [UInt8], key: String) throws -> [UInt8] {
        guard Self.isGzip(bytes) else {
            if method == .maybeGz { return bytes }
            throw ObjectStoreError.corrupt(key: key, detail: "object is not gzip-compressed (use compress:maybe-gz: to read plain objects)")
        }
        do {
            return try ZlibStream.decompress(bytes, format: .gzip)
        } catch {
            throw ObjectStoreError.corrupt(key: key, detail: "\(error)")
        }
    }

    /// The info callers see: the uncompressed size (when known) and no internal metadata.
    private func visible(_ info: ObjectInfo) -> ObjectInfo {
        var info = info
        if let size = info.metadata.removeValue(forKey: Self.sizeMetadataName).flatMap({ Int64($0) }) {
            info.size = size
        }
        return info
    }
}
