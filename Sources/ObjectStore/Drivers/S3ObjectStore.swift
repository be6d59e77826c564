import Foundation
import Logging
import S3Client

/// The `s3` pipeline driver: an `ObjectStore` over `S3Client`.
/// Pipeline syntax: `s3:https://ACCESSKEY:SECRET@host[:port]/bucket/?region=…&max_retries=…`.
public final class S3ObjectStore: ObjectStore {
    public let client: S3Client

    /// `urlString` is the pipeline string after `s3:`.
    public init(urlString: String, logger: Logger) throws {
        do {
            client = S3Client(configuration: try S3Configuration(url: urlString), logger: logger)
        } catch {
            throw ObjectStoreError.rejected(key: "", status: 0, code: "InvalidURL", message: error.description, requestID: nil)
        }
    }

    public init(client: S3Client) {
        self.client = client
    }

    public var description: String { "s3:\(client.configuration)" }

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        let s3Body: S3Body
        switch body {
        case .bytes(let bytes): s3Body = .bytes(bytes)
        case .file(let path): s3Body = .file(path: path)
        }
        try await mapped(key) {
            try await client.putObject(
                key, body: s3Body, contentType: options.contentType,
                metadata: options.metadata, createOnly: options.createOnly)
        }
    }

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        try await mapped(key) {
            let object = try await client.getObject(key, range: range.map { ($0.offset, $0.length) })
            return StoredObject(info: Self.info(object.head), body: object.body)
        }
    }

    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        try await mapped(key) {
            Self.info(try await client.getObject(key, toFile: path, range: range.map { ($0.offset, $0.length) }))
        }
    }

    public func stat(_ key: String) async throws -> ObjectInfo {
        try await mapped(key) { Self.info(try await client.headObject(key)) }
    }

    public func delete(_ key: String) async throws {
        try await mapped(key) { try await client.deleteObject(key) }
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        try await mapped(keys.first ?? "") {
            try await client.deleteObjects(keys).map { BulkDeleteFailure(key: $0.key, code: $0.code, message: $0.message) }
        }
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        let directive: S3MetadataDirective
        switch metadata {
        case .copy: directive = .copy
        case .replace(let newMetadata): directive = .replace(metadata: newMetadata, contentType: PutOptions().contentType)
        }
        try await mapped(destination) {
            do {
                try await client.copyObject(from: source, to: destination, metadata: directive)
            } catch let error as S3Error where error.isNotFound {
                throw ObjectStoreError.notFound(key: source) // the missing object is the source
            }
        }
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try await mapped(prefix) {
            let result = try await client.listObjects(
                prefix: prefix, delimiter: delimiter,
                continuationToken: continuation, maxKeys: maxKeys)
            let objects = result.objects.map {
                ObjectInfo(key: $0.key, size: $0.size, lastModified: $0.lastModified, etag: $0.etag)
            }
            return ListPage(objects: objects, commonPrefixes: result.commonPrefixes, nextContinuation: result.nextContinuationToken)
        }
    }

    // MARK: Error mapping

    @discardableResult
    private func mapped<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw Self.objectStoreError(error, key: key)
        }
    }

    /// 404 → notFound, 412 → alreadyExists, 403 → accessDenied, other 4xx → rejected;
    /// 5xx, 429, timeouts, connection failures and shutdown → unavailable (temporary).
    static func objectStoreError(_ error: S3Error, key fallbackKey: String) -> ObjectStoreError {
        let key = error.key.isEmpty ? fallbackKey : error.key
        switch error.kind {
        case .service(let status):
            switch status {
            case 404: return .notFound(key: key)
            case 412: return .alreadyExists(key: key)
            case 403: return .accessDenied(key: key, code: error.code, message: error.message, requestID: error.requestID)
            case 400..<500 where status != 429 && error.code != "SlowDown":
                return .rejected(key: key, status: status, code: error.code, message: error.message, requestID: error.requestID)
            default:
                return .unavailable(key: key, detail: error.description, requestID: error.requestID)
            }
        case .transport, .timeout, .shutdown, .invalidResponse:
            return .unavailable(key: key, detail: error.description, requestID: error.requestID)
        case .localFile:
            return .io(key: key, detail: error.message)
        }
    }

    private static func info(_ head: S3ObjectHead) -> ObjectInfo {
        ObjectInfo(key: head.key, size: head.size, lastModified: head.lastModified, etag: head.etag, metadata: head.metadata)
    }
}
