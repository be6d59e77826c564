import Foundation

/// A request body: bytes in memory, or a file streamed from disk (never loaded whole).
public enum S3Body: Sendable {
    case bytes([UInt8])
    case file(path: String)
}

/// What HEAD (or a GET's headers) says about an object.
public struct S3ObjectHead: Sendable, Equatable {
    public var key: String
    /// The size of the whole object, also for a ranged GET (from `Content-Range`).
    public var size: Int64
    public var contentType: String?
    public var etag: String?
    public var lastModified: Date?
    /// `x-amz-meta-*` headers, names lower-case without the prefix.
    public var metadata: [String: String]
    public var requestID: String?
}

public struct S3Object: Sendable {
    public var head: S3ObjectHead
    /// The object's bytes, or only the requested range.
    public var body: [UInt8]
}

public struct S3ListedObject: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String?
    public var lastModified: Date?
}

/// One page of ListObjectsV2.
public struct S3ListResult: Sendable, Equatable {
    public var objects: [S3ListedObject]
    public var commonPrefixes: [String]
    /// Pass as `continuationToken` for the next page; nil on the last page.
    public var nextContinuationToken: String?
}

/// A key that DeleteObjects could not delete.
public struct S3DeleteFailure: Sendable, Equatable {
    public var key: String
    public var code: String
    public var message: String
}

public enum S3MetadataDirective: Sendable, Equatable {
    /// Keep the source's metadata and Content-Type.
    case copy
    /// Replace both.
    case replace(metadata: [String: String], contentType: String)
}
