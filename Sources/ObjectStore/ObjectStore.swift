import Foundation

/// One layer of the storage pipeline (Dovecot's lib-fs): a driver such as `posix` or `s3`,
/// or a wrapper such as `compress`, `randomfail` or `fscache` that forwards to its parent.
///
/// Keys are `/`-separated paths without a leading slash. Metadata names are lowercase and carry
/// no `x-amz-meta-` prefix; values are ASCII (callers percent-encode anything else).
/// Every method may throw `ObjectStoreError`; drivers translate their own failures into it so
/// that the layers above can decide on retries and tagged protocol errors without knowing the driver.
public protocol ObjectStore: Sendable {
    /// A description for logs and errors. Never contains credentials.
    var description: String { get }

    /// Stores `body` under `key`. With `options.createOnly`, fails with `.alreadyExists`
    /// if the key exists (S3's `If-None-Match: *`), atomically with respect to concurrent writers.
    func put(_ key: String, body: ObjectBody, options: PutOptions) async throws

    /// Reads the object (or `range` of it) into memory, with its info and metadata.
    func get(_ key: String, range: ByteRange?) async throws -> StoredObject

    /// Streams the object (or `range` of it) into a new file at `path`, so that a large mail
    /// is never held in memory. Returns the object's info. On failure no file is left at `path`.
    func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo

    /// The object's size, date and metadata (S3 HEAD).
    func stat(_ key: String) async throws -> ObjectInfo

    /// Deletes `key`. Deleting a missing key succeeds (S3 semantics).
    func delete(_ key: String) async throws

    /// Deletes many keys in as few requests as the driver allows (S3 DeleteObjects, ≤ 1000 a request).
    /// Returns the keys that could not be deleted; missing keys count as deleted.
    func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure]

    /// Copies an object inside the store, keeping its metadata or replacing it.
    func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws

    /// One page of keys under `prefix` in lexicographic order. With a delimiter, keys sharing
    /// the next path component are rolled up into `commonPrefixes`.
    func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage
}

/// The bytes to store: in memory, or a local file that is streamed (never loaded whole).
public enum ObjectBody: Sendable {
    case bytes([UInt8])
    case file(path: String)

    /// The body's size in bytes.
    public func size() throws -> Int64 {
        switch self {
        case .bytes(let bytes): return Int64(bytes.count)
        case .file(let path):
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
    }

    /// The whole body in memory. Wrappers that must transform the bytes (compression) use it.
    public func loadBytes() throws -> [UInt8] {
        switch self {
        case .bytes(let bytes): return bytes
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ObjectStoreError.io(key: path, detail: "cannot read body file")
            }
            return [UInt8](data)
        }
    }
}

public struct PutOptions: Sendable, Equatable {
    /// User metadata (S3 `x-amz-meta-NAME`), names lowercase.
    public var metadata: [String: String]
    /// Always sent to S3; defaults to `application/octet-stream`.
    public var contentType: String
    /// Fail with `.alreadyExists` instead of overwriting.
    public var createOnly: Bool

    public init(metadata: [String: String] = [:], contentType: String = "application/octet-stream", createOnly: Bool = false) {
        self.metadata = metadata
        self.contentType = contentType
        self.createOnly = createOnly
    }
}

/// A byte range as in HTTP `Range: bytes=offset-(offset+length-1)`; `length == nil` reads to the end.
public struct ByteRange: Sendable, Equatable, Hashable {
    public var offset: Int64
    public var length: Int64?

    public init(offset: Int64, length: Int64? = nil) {
        self.offset = offset
        self.length = length
    }

    /// The HTTP header value, e.g. `bytes=100-199` or `bytes=100-`.
    public var httpHeaderValue: String {
        if let length { return "bytes=\(offset)-\(offset + length - 1)" }
        return "bytes=\(offset)-"
    }
}

public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    /// The stored size of the whole object (not of a requested range).
    public var size: Int64
    public var lastModified: Date?
    public var etag: String?
    public var metadata: [String: String]

    public init(key: String, size: Int64, lastModified: Date? = nil, etag: String? = nil, metadata: [String: String] = [:]) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.etag = etag
        self.metadata = metadata
    }
}

public struct StoredObject: Sendable {
    public var info: ObjectInfo
    /// The object's bytes, or only the requested range of them.
    public var body: [UInt8]

    public init(info: ObjectInfo, body: [UInt8]) {
        self.info = info
        self.body = body
    }
}

public enum MetadataDirective: Sendable, Equatable {
    /// Keep the source object's metadata (S3 `x-amz-metadata-directive: COPY`).
    case copy
    /// Replace it (S3 `REPLACE`).
    case replace([String: String])
}

public struct BulkDeleteFailure: Sendable, Equatable, Error {
    public var key: String
    public var code: String
    public var message: String

    public init(key: String, code: String, message: String) {
        self.key = key
        self.code = code
        self.message = message
    }
}

public struct ListPage: Sendable, Equatable {
    public var objects: [ObjectInfo]
    public var commonPrefixes: [String]
    /// Pass back to `list` for the next page; nil on the last page.
    public var nextContinuation: String?

    public init(objects: [ObjectInfo], commonPrefixes: [String] = [], nextContinuation: String? = nil) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.nextContinuation = nextContinuation
    }
}

extension ObjectStore {
    /// Every object under `prefix`, following continuation tokens page by page.
    public func listAll(prefix: String, pageSize: Int = 1000) async throws -> [ObjectInfo] {
        var all: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await list(prefix: prefix, delimiter: nil, continuation: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextContinuation
        } while token != nil
        return all
    }

    public func get(_ key: String) async throws -> StoredObject {
        try await get(key, range: nil)
    }

    public func put(_ key: String, bytes: [UInt8], options: PutOptions = PutOptions()) async throws {
        try await put(key, body: .bytes(bytes), options: options)
    }
}
