import Crypto
import Foundation
import Primitives
import Synchronization

/// AWS Signature Version 4 for S3 (header-based authorization).
///
/// The caller supplies the path and query exactly as they go on the wire (already encoded with
/// `S3PercentEncoding`), so the signed canonical request and the sent request cannot disagree.
public struct S3Signer: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service: String = "s3"
    /// The derived signing key of the last day signed for: four HMACs a request otherwise.
    private let signingKeys = SigningKeyCache()

    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The SHA-256 of an empty body, sent for GET/HEAD/DELETE.
    public static let emptyPayloadHash = hexSHA256([UInt8]())

    /// `Authorization` header value for a request.
    /// - Parameters:
    ///   - encodedPath: `/bucket/key` with each byte outside `A-Za-z0-9-_.~/` %-encoded.
    ///   - encodedQuery: `name=value` pairs, already encoded, in any order (sorted here).
    ///   - headers: every header that is sent and should be signed; must include `host`,
    ///     `x-amz-date` and `x-amz-content-sha256`.
    public func authorization(
        method: String, encodedPath: String, encodedQuery: [(String, String)],
        headers: [(String, String)], payloadHash: String, date: Date
    ) -> String {
        let (amzDate, day) = Self.timestamps(date)
        let canonicalHeaders = Self.canonicalHeaders(headers)
        let signedHeaders = canonicalHeaders.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method,
            encodedPath,
            Self.canonicalQuery(encodedQuery),
            canonicalHeaders.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            payloadHash
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hexSHA256(Array(canonicalRequest.utf8)))"

        let key = signingKeys.key(secret: credentials.secretKey, scope: scope) {
            var key = SymmetricKey(data: Array("AWS4\(credentials.secretKey)".utf8))
            for part in [day, region, service, "aws4_request"] {
                key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
            }
            return key
        }
        let signature = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(Hex.encode(signature))"
    }

    /// `x-amz-date` (`20261122T041500Z`) and the scope's day (`20261122`).
    public static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        let (date, second) = CivilDate.split(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let day = pad(date.year, 4) + pad(date.month, 2) + pad(date.day, 2)
        return (day + "T" + pad(second / 3600, 2) + pad(second / 60 % 60, 2) + pad(second % 60, 2) + "Z", day)
    }

    /// Sorted by name then value, `=` on every parameter (`uploads=`), joined with `&`.
    public static func canonicalQuery(_ encodedQuery: [(String, String)]) -> String {
        encodedQuery.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-case names, values with runs of spaces collapsed, sorted by name; repeated names joined with `,`.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            let lower = name.lowercased()
            merged[lower] = merged[lower].map { "\($0),\(trimmed)" } ?? trimmed
        }
        return merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public static func hexSHA256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }
}

/// The signing key of one scope (day, region, service), derived once and shared by copies of the signer.
final class SigningKeyCache: Sendable {
    private let last = Mutex<(secret: String, scope: String, key: SymmetricKey)?>(nil)

    func key(secret: String, scope: String, derive: () -> SymmetricKey) -> SymmetricKey {
        if let cached = last.withLock({ $0 }), cached.secret == secret, cached.scope == scope { return cached.key }
        let key = derive()
        last.withLock { $0 = (secret, scope, key) }
        return key
    }
}
