import Crypto
import Foundation
import Primitives

extension S3Client {
    /// PutObject. Always sends a Content-Type; with `createOnly`, sends `If-None-Match: *` and throws
    /// an `S3Error` with status 412 (`isAlreadyExists`) if the key exists. Returns the ETag.
    @discardableResult
    public func putObject(
        _ key: String, body: S3Body, contentType: String = "application/octet-stream",
        metadata: [String: String] = [:], createOnly: Bool = false
    ) async throws -> String? {
        var spec = RequestSpec(operation: .put, key: key)
        spec.headers = [("Content-Type", contentType)] + Self.metadataHeaders(metadata)
        if createOnly { spec.headers.append(("If-None-Match", "*")) }
        switch body {
        case .bytes(let bytes):
            spec.body = .bytes(bytes)
            spec.payloadHash = S3Signer.hexSHA256(bytes)
        case .file(let path):
            // The payload hash is computed by streaming the file once, so the body is signed without
            // ever being held in memory (UNSIGNED-PAYLOAD would let a corrupted body through over http).
            let digest = try await Self.digestOffLoop(ofFile: path, key: key)
            spec.body = .file(path: path, size: digest.size)
            spec.payloadHash = digest.sha256
        }
        do {
            return try await execute(spec).headers["etag"]
        } catch let error as S3Error where createOnly && error.isAlreadyExists && error.attempts > 1 {
            // An earlier attempt may have stored the object before its answer was lost; then the retry
            // meets our own write. A single-part ETag is the body's MD5: the same bytes mean it was us.
            let md5: String
            switch body {
            case .bytes(let bytes): md5 = Hex.encode(Insecure.MD5.hash(data: bytes))
            case .file(let path): md5 = try await Self.digestOffLoop(ofFile: path, key: key).md5
            }
            guard let existing = try? await headObject(key), existing.etag == "\"\(md5)\"" else { throw error }
            return existing.etag
        }
    }

    /// GetObject into memory, optionally a byte range (`offset`, `length`; nil length: to the end).
    public func getObject(_ key: String, range: (offset: Int64, length: Int64?)? = nil) async throws -> S3Object {
        let response = try await execute(getSpec(key, range: range, sink: .memory))
        return S3Object(head: head(from: response, key: key), body: response.body)
    }

    /// GetObject streamed into a new file at `path` (mode 0600). On failure no file is left behind.
    public func getObject(_ key: String, toFile path: String, range: (offset: Int64, length: Int64?)? = nil) async throws -> S3ObjectHead {
        let response = try await execute(getSpec(key, range: range, sink: .file(path: path)))
        return head(from: response, key: key)
    }

    public func headObject(_ key: String) async throws -> S3ObjectHead {
        let response = try await execute(RequestSpec(operation: .head, key: key))
        return head(from: response, key: key)
    }

    /// DeleteObject. Deleting a missing key succeeds.
    public func deleteObject(_ key: String) async throws {
        _ = try await execute(RequestSpec(operation: .delete, key: key)) {
            (200..<300).contains($0) || $0 == 404
        }
    }

    /// CopyObject inside the bucket, keeping (`.copy`) or replacing the metadata and Content-Type.
    public func copyObject(from source: String, to destination: String, metadata: S3MetadataDirective = .copy) async throws {
        var spec = RequestSpec(operation: .copy, key: destination)
        let sourcePath =
            "/" + S3PercentEncoding.encode(bucketName) + "/"
            + S3PercentEncoding.encode(configuration.keyPrefix + source, keepSlash: true)
        spec.headers = [("x-amz-copy-source", sourcePath)]
        switch metadata {
        case .copy:
            spec.headers.append(("x-amz-metadata-directive", "COPY"))
        case .replace(let newMetadata, let contentType):
            spec.headers.append(("x-amz-metadata-directive", "REPLACE"))
            spec.headers.append(("Content-Type", contentType))
            spec.headers += Self.metadataHeaders(newMetadata)
        }
        let response = try await execute(spec)
        // S3 may answer 200 and still report a failure in the body.
        if let xml = S3XMLElement.parse(response.body), xml.name == "Error" {
            var failure = serviceError(response, operation: .copy, key: destination)
            failure.kind = .service(status: 500)
            throw failure
        }
    }

    // MARK: Helpers

    private func getSpec(_ key: String, range: (offset: Int64, length: Int64?)?, sink: HTTPRequest.Sink) -> RequestSpec {
        var spec = RequestSpec(operation: .get, key: key, sink: sink)
        if let range {
            let end = range.length.map { String(range.offset + $0 - 1) } ?? ""
            spec.headers.append(("Range", "bytes=\(range.offset)-\(end)"))
        }
        return spec
    }

    static func metadataHeaders(_ metadata: [String: String]) -> [(String, String)] {
        metadata.sorted { $0.key < $1.key }.map { ("x-amz-meta-\($0.key.lowercased())", $0.value) }
    }

    func head(from response: HTTPResponse, key: String) -> S3ObjectHead {
        let headers = response.headers
        var size = Int64(headers["content-length"] ?? "") ?? Int64(response.body.count)
        // `Content-Range: bytes 0-99/1234`: the whole object's size follows the slash.
        if let contentRange = headers["content-range"], let slash = contentRange.lastIndex(of: "/"),
            let total = Int64(contentRange[contentRange.index(after: slash)...])
        {
            size = total
        }
        var metadata: [String: String] = [:]
        for (name, value) in headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        return S3ObjectHead(
            key: key, size: size, contentType: headers["content-type"], etag: headers["etag"],
            lastModified: headers["last-modified"].flatMap(S3Dates.parseHTTPDate),
            metadata: metadata, requestID: headers["x-amz-request-id"])
    }

    /// Reads the file once in 1 MiB pieces: its size, hex SHA-256 and hex MD5.
    /// Reading and hashing a spooled body (tens of MiB) blocks: it runs with the process's other file I/O, never on
    /// the caller's executor, which may be a session's event loop.
    static func digestOffLoop(ofFile path: String, key: String) async throws -> (size: Int64, sha256: String, md5: String) {
        try await BlockingPool.fileIO.run { try digest(ofFile: path, key: key) }
    }

    static func digest(ofFile path: String, key: String) throws -> (size: Int64, sha256: String, md5: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw S3Error(kind: .localFile, operation: .put, key: key, code: "LocalFile", message: "cannot open body file")
        }
        defer { try? handle.close() }
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        var size: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                sha256.update(data: chunk)
                md5.update(data: chunk)
                size += Int64(chunk.count)
            }
        } catch {
            throw S3Error(kind: .localFile, operation: .put, key: key, code: "LocalFile", message: "cannot read body file: \(error)")
        }
        return (size, Hex.encode(sha256.finalize()), Hex.encode(md5.finalize()))
    }
}

extension S3Error {
    /// A create-only PUT found the key taken.
    public var isAlreadyExists: Bool { status == 412 }
    public var isNotFound: Bool { status == 404 }
}
