import Foundation
import Testing

@testable import S3Client

/// Signatures pinned from botocore 1.43 (S3SigV4Auth, region eu-west-1, 2026-11-22T04:15:00Z,
/// host 127.0.0.1:8333); botocore_reference.py prints them.
@Suite struct S3SignerTests {
    let signer = S3Signer(
        credentials: S3Credentials(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "eu-west-1")
    let date = Date(timeIntervalSince1970: 1_795_320_900) // 2026-11-22T04:15:00Z

    func authorization(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        payload: [UInt8] = []
    ) -> String {
        let hash = S3Signer.hexSHA256(payload)
        let encodedQuery = query.map { (S3PercentEncoding.encode($0.0), S3PercentEncoding.encode($0.1)) }
        let allHeaders = headers + [("Host", "127.0.0.1:8333"), ("x-amz-date", "20261122T041500Z"), ("x-amz-content-sha256", hash)]
        return signer.authorization(
            method: method, encodedPath: path, encodedQuery: encodedQuery, headers: allHeaders,
            payloadHash: hash, date: date)
    }

    /// The signing key is derived once per scope and shared by copies: a signer used for another day, region
    /// or secret in between must still sign as a fresh one does.
    @Test func theCachedSigningKeyFollowsDayRegionAndSecret() {
        let headers = [("Host", "127.0.0.1:8333"), ("x-amz-content-sha256", S3Signer.emptyPayloadHash)]
        func sign(_ signer: S3Signer, _ date: Date) -> String {
            signer.authorization(
                method: "GET", encodedPath: "/bucket/key", encodedQuery: [],
                headers: headers + [("x-amz-date", S3Signer.timestamps(date).amzDate)],
                payloadHash: S3Signer.emptyPayloadHash, date: date)
        }
        let nextDay = date.addingTimeInterval(86_400)
        let first = sign(signer, date)
        var otherRegion = signer
        otherRegion.region = "us-east-1"
        var otherSecret = signer
        otherSecret.credentials = S3Credentials(accessKey: "AKIDEXAMPLE", secretKey: "another")
        let fresh = { (signer: S3Signer) in S3Signer(credentials: signer.credentials, region: signer.region) }
        for (used, date) in [(signer, nextDay), (otherRegion, date), (otherSecret, date), (signer, date)] {
            #expect(sign(used, date) == sign(fresh(used), date))
        }
        #expect(sign(signer, date) == first)
        #expect(sign(signer, nextDay) != first)
    }

    @Test func timestampsAreUTC() {
        #expect(S3Signer.timestamps(date).amzDate == "20261122T041500Z")
        #expect(S3Signer.timestamps(date).day == "20261122")
        #expect(S3Signer.timestamps(Date(timeIntervalSince1970: 951_825_599.9)).amzDate == "20000229T115959Z")
    }

    @Test func getWithSpacesPlusTildeAndUnicodeInTheKey() {
        let path = "/bucket/" + S3PercentEncoding.encode("mail with spaces+plus~tilde/ünïcode", keepSlash: true)
        #expect(path == "/bucket/mail%20with%20spaces%2Bplus~tilde/%C3%BCn%C3%AFcode")
        #expect(
            authorization("GET", path)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=8f60cd3b652fdf85985ff92912c0b55629e9a87410d83f204247a2e149cb8c41"
        )
    }

    @Test func listWithAnEncodedSortedQuery() {
        let query = [
            ("list-type", "2"), ("prefix", "user 1/mail+box/"), ("delimiter", "/"),
            ("continuation-token", "a+b/c=="), ("max-keys", "1000")
        ]
        #expect(
            authorization("GET", "/bucket", query: query)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=301291f19b7c26dd8cf857c965f70bd83d48ae17011ae307d4a32edaa81abeec"
        )
        let encoded = query.map { (S3PercentEncoding.encode($0.0), S3PercentEncoding.encode($0.1)) }
        #expect(
            S3Signer.canonicalQuery(encoded) == "continuation-token=a%2Bb%2Fc%3D%3D&delimiter=%2F&list-type=2&max-keys=1000&prefix=user%201%2Fmail%2Bbox%2F")
    }

    @Test func putWithMetadataAndCreateOnly() {
        let headers = [("Content-Type", "message/rfc822"), ("x-amz-meta-username", "alice"), ("If-None-Match", "*")]
        #expect(
            authorization("PUT", "/bucket/dir/obj~1", headers: headers, payload: Array("hello".utf8))
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request, SignedHeaders=content-type;host;if-none-match;x-amz-content-sha256;x-amz-date;x-amz-meta-username, Signature=503b4a851ddd003d1fe21686150dc1996e9fadfc1d21b05537493e3205c79c18"
        )
    }

    @Test func deleteObjectsWithAnEmptyParameterValue() {
        #expect(
            authorization(
                "POST", "/bucket", query: [("delete", "")], headers: [("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==")],
                payload: Array("<Delete/>".utf8))
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request, SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date, Signature=99ce55557b257842d8ebc24e1b8654e250fff558a95e467b9617cc56c231d2b3"
        )
    }

    @Test func emptyPayloadHash() {
        #expect(S3Signer.emptyPayloadHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

@Suite struct S3PercentEncodingTests {
    @Test func encodesEverythingButUnreservedBytes() {
        #expect(S3PercentEncoding.encode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(S3PercentEncoding.encode("a b+c/d=e&f?g%h*i") == "a%20b%2Bc%2Fd%3De%26f%3Fg%25h%2Ai")
        #expect(S3PercentEncoding.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(S3PercentEncoding.encode("é€") == "%C3%A9%E2%82%AC")
    }

    @Test func decodesEscapesOnly() {
        #expect(S3PercentEncoding.decode("foo%2fbar%2B+x") == "foo/bar++x")
        #expect(S3PercentEncoding.decode("%C3%A9") == "é")
        #expect(S3PercentEncoding.decode("bad%2") == nil)
        #expect(S3PercentEncoding.decode("bad%zz") == nil)
    }
}
