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
    ],
    targets: configTargets + objectStoreTargets + mimeTargets + executableTargets
)

// MARK: Config: the Dovecot-syntax configuration language, %-variables, the settings registry.
var configTargets: [Target] { [
    .target(name: "Config", dependencies: [.product(name: "Logging", package: "swift-log")]),
    .testTarget(name: "ConfigTests", dependencies: ["Config"], resources: [.copy("Fixtures")]),
] }

// MARK: ObjectStore: the lib-fs style storage pipeline (posix, compress, randomfail, s3 …).
var objectStoreTargets: [Target] { [
    .target(name: "ObjectStore", dependencies: [.product(name: "Logging", package: "swift-log")]),
] }

// MARK: MIME: parse a message once; ENVELOPE, BODYSTRUCTURE, sections, search text, cached fields.
// No storage, socket or NIO dependency: Foundation and glibc (iconv) only.
var mimeTargets: [Target] { [
    .target(name: "MIME"),
    .testTarget(name: "MIMETests", dependencies: ["MIME"], resources: [.copy("Corpus")]),
    .executableTarget(name: "mime-bench", dependencies: ["MIME"], path: "bench/MIMEBench"),
] }

// MARK: The command line.
var executableTargets: [Target] { [
    .executableTarget(name: "objectmail", dependencies: [
        "Config", "ObjectStore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
] }
