import Logging
import Testing

@testable import S3Client

@Suite struct S3ConfigurationTests {
    @Test func pathStyleURLWithEscapedCredentialsAndParameters() throws {
        let config = try S3Configuration(
            url:
                "https://AKID:se%2Fcr%2Bet@s3.example.com:8443/mails/tenant1/?region=eu-central-1&max_retries=2&timeout=3s&connect_timeout=500&read_timeout=2000ms&write_timeout=4s&delete_timeout=6000&absolute_timeout=1m&max_connect_retries=1&slow_warn=2s&bulk_delete_limit=500&addhdr=X-Tenant:%20acme&addhdr=X-Other:1&max_parallel=16"
        )
        #expect(config.scheme == "https")
        #expect(config.host == "s3.example.com")
        #expect(config.port == 8443)
        #expect(config.style == .path(bucket: "mails"))
        #expect(config.keyPrefix == "tenant1/")
        #expect(config.credentials == S3Credentials(accessKey: "AKID", secretKey: "se/cr+et"))
        #expect(config.region == "eu-central-1")
        #expect(config.maxRetries == 2)
        #expect(config.timeoutMs == 3000)
        #expect(config.effectiveConnectTimeoutMs == 500)
        #expect(config.effectiveReadTimeoutMs == 2000)
        #expect(config.effectiveWriteTimeoutMs == 4000)
        #expect(config.effectiveDeleteTimeoutMs == 6000)
        #expect(config.absoluteTimeoutMs == 60_000)
        #expect(config.effectiveMaxConnectRetries == 1)
        #expect(config.slowWarnMs == 2000)
        #expect(config.bulkDeleteLimit == 500)
        #expect(config.additionalHeaders.map(\.name) == ["X-Tenant", "X-Other"])
        #expect(config.additionalHeaders.map(\.value) == ["acme", "1"])
        #expect(config.maxInFlight == 16)
        #expect(config.hostHeader == "s3.example.com:8443")
    }

    @Test func defaults() throws {
        let config = try S3Configuration(url: "http://k:s@127.0.0.1/bucket")
        #expect(config.region == "us-east-1")
        #expect(config.maxRetries == 4)
        #expect(config.timeoutMs == 10_000)
        #expect(config.effectiveReadTimeoutMs == 10_000)
        #expect(config.absoluteTimeoutMs == nil)
        #expect(config.bulkDeleteLimit == 1000)
        #expect(config.slowWarnMs == 5000)
        #expect(config.hostHeader == "127.0.0.1")
    }

    @Test func virtualHostAndBucketParameter() throws {
        let virtual = try S3Configuration(url: "https://k:s@mails.s3.eu-west-1.amazonaws.com/?region=eu-west-1")
        #expect(virtual.style == .virtualHost)
        let client = S3Client(configuration: virtual, logger: Logger(label: "test"))
        #expect(client.encodedPath(for: "a b/c") == "/a%20b/c")
        #expect(client.encodedPath(for: nil) == "/")
        #expect(client.bucketName == "mails")

        let parameter = try S3Configuration(url: "http://k:s@127.0.0.1:9000/?bucket=mails")
        #expect(parameter.style == .path(bucket: "mails"))
        let pathClient = S3Client(configuration: parameter, logger: Logger(label: "test"))
        #expect(pathClient.encodedPath(for: "x+y") == "/mails/x%2By")
        #expect(pathClient.encodedPath(for: nil) == "/mails")
    }

    @Test func anonymousAndUnescapedSlashInSecret() throws {
        #expect(try S3Configuration(url: "http://127.0.0.1:9000/b").credentials == nil)
        let config = try S3Configuration(url: "http://key:abc/def@127.0.0.1:9000/b/")
        #expect(config.credentials?.secretKey == "abc/def")
        #expect(config.style == .path(bucket: "b"))
    }

    @Test(arguments: [
        "ftp://k:s@host/b", "https://k:s@/b", "https://k:s@host:99999/b", "https://k:s@host/b?nonsense=1",
        "https://k:s@host/b?timeout=soon", "https://k:s@host/b?max_retries=-1", "https://k%zz:s@host/b",
        "https://k:s@host/b?addhdr=novalue"
    ])
    func rejectsMalformedURLs(_ url: String) {
        #expect(throws: S3ConfigurationError.self) { try S3Configuration(url: url) }
    }

    @Test func secretsNeverAppearInDescriptionsOrErrors() throws {
        let secret = "TOPSECRET+/x"
        let escaped = S3PercentEncoding.encode(secret)
        let config = try S3Configuration(url: "https://AKID:\(escaped)@host/bucket/?region=us-east-1")
        #expect(!config.description.contains("TOPSECRET"))
        #expect(!config.credentials!.description.contains("TOPSECRET"))
        #expect(!"\(config)".contains("TOPSECRET"))
        #expect(!String(reflecting: config.credentials!).contains("TOPSECRET"))
        do {
            _ = try S3Configuration(url: "https://AKID:\(escaped)@host/bucket/?typo=1")
        } catch {
            #expect(!error.description.contains("TOPSECRET"))
        }
        let client = S3Client(configuration: config, logger: Logger(label: "test"))
        let error = client.serviceError(HTTPResponse(status: 403, headers: [:], body: []), operation: .get, key: "k")
        #expect(!error.description.contains("TOPSECRET"))
    }
}
