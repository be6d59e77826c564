// swift-tools-version:6.0
// ObjectMail: an IMAP/POP3/LMTP mail server that keeps mail in object storage.
// Dependencies point one way: Server → ObjectMail → {MetaCache, FSCache → ObjectStore → S3Client}.
// Each module group below is added by the issue that fills it.
import PackageDescription

let package = Package(
    name: "objectmail",
    products: [
        .executable(name: "objectmail", targets: ["objectmail"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: configTargets + objectStoreTargets + s3Targets + executableTargets
)

// MARK: Config: the Dovecot-syntax configuration language, %-variables, the settings registry.
var configTargets: [Target] { [
    .target(name: "Config", dependencies: [.product(name: "Logging", package: "swift-log")]),
    .testTarget(name: "ConfigTests", dependencies: ["Config"], resources: [.copy("Fixtures")]),
] }

// MARK: ObjectStore: the lib-fs style storage pipeline (posix, compress, randomfail, s3 …).
var objectStoreTargets: [Target] { [
    .target(name: "ObjectStore", dependencies: ["S3Client", .product(name: "Logging", package: "swift-log")]),
] }

// MARK: S3Client: an S3 HTTP client on libcurl's multi interface (SigV4, retries, streaming bodies).
var s3Targets: [Target] { [
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    .target(name: "S3Client", dependencies: [
        "CCurl", "CLibXML2",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    .testTarget(name: "S3ClientTests", dependencies: ["S3Client", .product(name: "Logging", package: "swift-log")],
                exclude: ["botocore_reference.py"]),
    // Integration tests against a real S3-compatible server (SeaweedFS started by seaweedfs.sh, or OBJECTMAIL_TEST_S3_URL).
    .testTarget(name: "MinIOTest", dependencies: [
        "S3Client", "ObjectStore",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
    ], path: "MinIOTest", exclude: ["seaweedfs.sh", "flaky_http.py"]),
    .executableTarget(name: "s3-bench", dependencies: [
        "S3Client", "ObjectStore",
        .product(name: "Logging", package: "swift-log"),
    ], path: "bench/S3Bench"),
] }

// MARK: The command line.
var executableTargets: [Target] { [
    .executableTarget(name: "objectmail", dependencies: [
        "Config", "ObjectStore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
] }
