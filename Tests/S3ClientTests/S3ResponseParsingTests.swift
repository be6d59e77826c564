import Foundation
import Logging
import Testing

@testable import S3Client

@Suite struct S3ResponseParsingTests {
    let client = S3Client(
        configuration: S3Configuration(
            scheme: "http", host: "127.0.0.1", port: 9, style: .path(bucket: "b"),
            credentials: nil), logger: Logger(label: "test"))

    @Test func errorXMLBecomesATypedError() {
        let body = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
            <Key>a/b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8)
        let error = client.serviceError(HTTPResponse(status: 404, headers: [:], body: body), operation: .get, key: "a/b")
        #expect(error.kind == .service(status: 404))
        #expect(error.code == "NoSuchKey")
        #expect(error.message == "The specified key does not exist.")
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.isNotFound)
        #expect(!error.isRetryable)
        #expect(error.description == "S3 GET a/b failed with HTTP 404: NoSuchKey: The specified key does not exist. (request id 4442587FB7D0A2F9)")
    }

    @Test func headerRequestIDWinsAndEmptyBodiesGetACode() {
        let error = client.serviceError(HTTPResponse(status: 412, headers: ["x-amz-request-id": "R1"], body: []), operation: .put, key: "k")
        #expect(error.code == "PreconditionFailed")
        #expect(error.requestID == "R1")
        #expect(error.isAlreadyExists)
    }

    @Test func retryRules() {
        func error(_ status: Int, _ code: String) -> S3Error {
            S3Error(kind: .service(status: status), operation: .get, key: "k", code: code, message: "")
        }
        #expect(error(500, "InternalError").isRetryable)
        #expect(error(503, "SlowDown").isRetryable)
        #expect(error(429, "TooManyRequests").isRetryable)
        #expect(error(400, "SlowDown").isRetryable)
        #expect(!error(400, "InvalidArgument").isRetryable)
        #expect(!error(403, "AccessDenied").isRetryable)
        #expect(!error(404, "NoSuchKey").isRetryable)
        #expect(S3Error(kind: .transport(curlCode: 7, connecting: true), operation: .get, key: "k", code: "x", message: "").isRetryable)
        #expect(S3Error(kind: .timeout, operation: .get, key: "k", code: "x", message: "").isRetryable)
        #expect(!S3Error(kind: .shutdown, operation: .get, key: "k", code: "x", message: "").isRetryable)
        #expect(S3Client.retryDelaysMs == [50, 500, 5_000, 10_000])
    }

    @Test func malformedXMLIsNil() {
        #expect(S3XMLElement.parse(Array("<Error><Code>".utf8)) == nil)
        #expect(S3XMLElement.parse([]) == nil)
        #expect(S3XMLElement.parse(Array("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>".utf8))?.text == "")
    }

    @Test func listResultElements() throws {
        let xml = try #require(
            S3XMLElement.parse(
                Array(
                    """
                    <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
                    <Contents><Key>a&amp;b</Key><Size>12</Size><LastModified>2026-11-22T04:15:00.250Z</LastModified></Contents>
                    <CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes><NextContinuationToken>tok</NextContinuationToken></ListBucketResult>
                    """.utf8)))
        #expect(xml.name == "ListBucketResult")
        #expect(xml.children("Contents").first?.text("Key") == "a&b")
        #expect(xml.text("NextContinuationToken") == "tok")
        let date = try #require(S3Dates.parseISO8601("2026-11-22T04:15:00.250Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_795_320_900.25) < 0.001)
        #expect(S3Dates.parseHTTPDate("Sun, 22 Nov 2026 04:15:00 GMT")?.timeIntervalSince1970 == 1_795_320_900)
    }

    @Test func xmlEscaping() {
        #expect(xmlEscaped("a&b<c>\"d'\r") == "a&amp;b&lt;c&gt;&quot;d&apos;&#13;")
    }
}
