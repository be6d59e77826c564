// swift-tools-version:6.0
// ObjectMail: an IMAP/POP3/LMTP mail server that keeps mail in object storage.
// Dependencies point one way: Server → ObjectMail → {MetaCache → ObjectStore, ObjectStore} → S3Client.
// Server sees only ObjectMail's API (and the plain value modules below it, MailModel and ExecutorPreference): never
// MetaCache's records or ObjectStore. ObjectMail reads bodies through any `ObjectStore` it is given; the executable
// (Sources/objectmail, the composition root) builds each user's `obox_fs` pipeline, fscache (FSCache) included, and
// hands it in. docs/architecture.md draws the graph.
// Each module group below is added by the issue that fills it.
import PackageDescription

let package = Package(
    name: "objectmail",
    products: [
        .executable(name: "objectmail", targets: ["objectmail"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0")
    ],
    targets: primitivesTargets + configTargets + mailModelTargets + executorPreferenceTargets + objectStoreTargets + fsCacheTargets + mimeTargets
        + metaCacheTargets + objectMailTargets
        + authTargets + imapProtocolTargets + serverTargets + pop3BenchTargets + s3Targets + executableTargets
        + metricsExportTargets + sieveTargets
)

// MARK: Primitives: the small pieces several modules need exactly alike (hex, calendar days, the stored binary coding,
// zlib streams, the blocking-work pools). Depends on nothing of ours (zlib and NIO's thread pool only), so every
// module may use it.
var primitivesTargets: [Target] {
    [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
        .target(
            name: "Primitives",
            dependencies: [
                "CZlib", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")
            ]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"])
    ]
}

// MARK: Config: the Dovecot-syntax configuration language, %-variables, the settings registry.
var configTargets: [Target] {
    [
        .target(name: "Config", dependencies: ["Primitives", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"], resources: [.copy("Fixtures")])
    ]
}

// MARK: MailModel: plain mail values the index and the mail store share (UID sets, system flags, flag changes,
// message states). No dependency: MetaCache stores them, ObjectMail's API and the protocols speak them.
var mailModelTargets: [Target] {
    [
        .target(name: "MailModel")
    ]
}

// MARK: ExecutorPreference: the task-local executor a session's unstructured tasks should run on (its event loop).
// Set by Server, read by the storage code that starts tasks for a session (ObjectMail, FSCache).
var executorPreferenceTargets: [Target] {
    [
        .target(name: "ExecutorPreference")
    ]
}

// MARK: ObjectStore: the lib-fs style storage pipeline (posix, compress, randomfail, s3 …).
var objectStoreTargets: [Target] {
    [
        .systemLibrary(name: "CSystemIO"),
        .target(
            name: "ObjectStore",
            dependencies: [
                "CSystemIO", "Primitives", "S3Client", .product(name: "Logging", package: "swift-log")
            ]),
        // The store contract as a regular target, so MinIOTest can run it against s3 too.
        .target(name: "StoreContract", dependencies: ["ObjectStore"], path: "Tests/StoreContract"),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "FSCache", "StoreContract", "S3Client"])
    ]
}

// MARK: FSCache: the size-bounded on-disk cache of object bodies (`fscache:SIZE:DIR:PARENT`).
var fsCacheTargets: [Target] {
    [
        .target(
            name: "FSCache",
            dependencies: [
                "Config", "ExecutorPreference", "ObjectStore", "S3Client", "MetricsExport", "Primitives",
                .product(name: "Logging", package: "swift-log")
            ]),
        .testTarget(name: "FSCacheTests", dependencies: ["FSCache", "ObjectStore", "StoreContract"]),
        .executableTarget(name: "fscache-bench", dependencies: ["FSCache", "ObjectStore", "StoreContract"], path: "bench/FSCacheBench")
    ]
}

// MARK: MetaCache: each user's local index (SQLite via GRDB), later its bundles in the bucket.
var metaCacheTargets: [Target] {
    [
        .target(
            name: "MetaCache",
            dependencies: [
                "MailModel", "ObjectStore", "CSQLite", "Primitives", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .testTarget(
            name: "MetaCacheTests",
            dependencies: [
                "MetaCache", "MailModel", "Primitives", "StoreContract", .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Crypto", package: "swift-crypto")
            ])
    ]
}

// MARK: ObjectMail: the mail store API the protocols use (users, mailboxes, messages).
var objectMailTargets: [Target] {
    [
        .target(
            name: "ObjectMail",
            dependencies: [
                "Config", "ExecutorPreference", "MailModel", "MetaCache", "MIME", "ObjectStore", "Primitives", "S3Client",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto")
            ]),
        .testTarget(name: "ObjectMailTests", dependencies: ["ObjectMail", "MailModel", "MetaCache", "MIME", "ObjectStore", "Primitives", "StoreContract"]),
        .executableTarget(
            name: "storage-bench",
            dependencies: [
                "ObjectMail", "MailModel", "MetaCache", "MIME", "ObjectStore", "FSCache", "StoreContract", "IMAPProtocol",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log")
            ], path: "bench/StorageBench"),
        .executableTarget(
            name: "bundle-bench",
            dependencies: [
                "ObjectMail", "MetaCache", "ObjectStore", "FSCache", "StoreContract",
                .product(name: "Logging", package: "swift-log")
            ], path: "bench/BundleBench")
    ]
}

// MARK: MIME: parse a message once; ENVELOPE and BODYSTRUCTURE values, sections, search text, cached fields.
// No storage or socket dependency: Foundation, glibc (iconv), zlib (its CRC-32) and Primitives only (whose thread
// pool links NIOPosix; MIME runs no NIO code).
var mimeTargets: [Target] {
    [
        .target(name: "MIME", dependencies: ["CZlib", "Primitives"]),
        // The tests that compare ENVELOPE/BODYSTRUCTURE with Dovecot's answers write them with IMAPProtocol.
        .testTarget(
            name: "MIMETests",
            dependencies: [
                "MIME", "Primitives", "IMAPProtocol", .product(name: "NIOCore", package: "swift-nio")
            ], resources: [.copy("Corpus")]),
        .executableTarget(
            name: "mime-bench",
            dependencies: [
                "MIME", "IMAPProtocol", .product(name: "NIOCore", package: "swift-nio")
            ], path: "bench/MIMEBench")
    ]
}

// MARK: Auth: passdb/userdb drivers, password schemes, master users, cache, penalties.
var authTargets: [Target] {
    [
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt"),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2"),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb"),
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap"),
        .systemLibrary(name: "CPostgreSQL", pkgConfig: "libpq"),
        .target(
            name: "Auth",
            dependencies: [
                "Config", "Primitives", "CCrypt", "CArgon2", "CSQLite", "CMariaDB", "CLDAP", "CPostgreSQL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Config"]),
        .executableTarget(name: "auth-bench", dependencies: ["Auth", "Config"], path: "bench/AuthBench")
    ]
}

// MARK: IMAPProtocol: the storage-free IMAP wire layer (command parser, response encoder, NIO framing). It writes the
// MIME parser's ENVELOPE and BODYSTRUCTURE values, so every IMAP string goes through one writer.
var imapProtocolTargets: [Target] {
    [
        .target(name: "IMAPProtocol", dependencies: ["MIME", "Primitives", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "IMAPProtocolTests",
            dependencies: [
                "IMAPProtocol", "MIME", "Primitives", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio")
            ]),
        .executableTarget(
            name: "imap-protocol-bench",
            dependencies: [
                "IMAPProtocol", .product(name: "NIOCore", package: "swift-nio")
            ], path: "bench/IMAPProtocolBench")
    ]
}

// MARK: Server: SwiftNIO listeners and protocol sessions (IMAP, POP3, LMTP), on ObjectMail's API only: no MetaCache,
// no ObjectStore (its test target may use them).
var serverTargets: [Target] {
    [
        .target(
            name: "Server",
            dependencies: [
                "Config", "Auth", "ExecutorPreference", "MailModel", "ObjectMail", "IMAPProtocol", "MIME", "MetricsExport", "Primitives", "Sieve",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log")
            ] + tlsDependencies),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Config", "Auth", "MailModel", "ObjectMail", "ObjectStore", "MetaCache", "StoreContract", "IMAPProtocol", "Sieve",
                "MetricsExport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl")
            ])
    ]
}

// MARK: TLS (Sources/Server/TLS): swift-nio-ssl for the listeners and STARTTLS, swift-certificates for the
// self-signed certificate of the embedded default; Crypto also serves POP3 (APOP digests, UIDL %m).
var tlsDependencies: [Target.Dependency] {
    [
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOTLS", package: "swift-nio"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "Crypto", package: "swift-crypto")
    ]
}

// MARK: POP3 benchmark: STAT/LIST/UIDL of a large mailbox and RETR throughput, counting store GETs.
var pop3BenchTargets: [Target] {
    [
        .executableTarget(
            name: "pop3-bench",
            dependencies: [
                "Server", "Auth", "Config", "ObjectMail", "MetaCache", "ObjectStore", "FSCache", "StoreContract",
                .product(name: "Logging", package: "swift-log")
            ], path: "bench/POP3Bench")
    ]
}

// MARK: S3Client: an S3 HTTP client on libcurl's multi interface (SigV4, retries, streaming bodies).
var s3Targets: [Target] {
    [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "S3Client",
            dependencies: [
                "CCurl", "CLibXML2", "MetricsExport", "Primitives", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .testTarget(
            name: "S3ClientTests",
            dependencies: [
                "S3Client", "MetricsExport", .product(name: "MetricsTestKit", package: "swift-metrics"), .product(name: "Logging", package: "swift-log")
            ],
            exclude: ["botocore_reference.py"]),
        // Integration tests against a real S3-compatible server (SeaweedFS started by seaweedfs.sh, or OBJECTMAIL_TEST_S3_URL).
        .testTarget(
            name: "MinIOTest",
            dependencies: [
                "S3Client", "ObjectStore", "StoreContract", "ObjectMail", "MailModel", "MetaCache", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log")
            ], path: "MinIOTest", exclude: ["seaweedfs.sh", "flaky_http.py"]),
        .executableTarget(
            name: "s3-bench",
            dependencies: [
                "S3Client", "ObjectStore",
                .product(name: "Logging", package: "swift-log")
            ], path: "bench/S3Bench")
    ]
}

// MARK: The command line.
var executableTargets: [Target] {
    [
        .executableTarget(
            name: "objectmail",
            dependencies: [
                "Config", "ObjectStore", "FSCache", "Auth", "MailModel", "ObjectMail", "Server", "CSystemIO", "MetricsExport", "Primitives", "Sieve",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log")
            ])
    ]
}

// MARK: MetricsExport: the metric families' descriptions (HELP texts, histogram buckets), the swift-metrics backend
// over one swift-prometheus registry, and the text `service stats { inet_listener http }` serves; swift-atomics for
// the handles hot paths keep (`MetricTable`). Modules record through swift-metrics handles; tests read values back
// with MetricsTestKit. Not named `Metrics`: that is swift-metrics' own module.
var metricsExportTargets: [Target] {
    [
        .target(
            name: "MetricsExport",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Atomics", package: "swift-atomics")
            ]),
        .testTarget(
            name: "MetricsExportTests",
            dependencies: ["MetricsExport", .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "MetricsTestKit", package: "swift-metrics")]
        )
    ]
}

// MARK: Sieve: RFC 5228 scripts compiled once and run against a message (issue 32); run on delivery by Server.
var sieveTargets: [Target] {
    [
        .target(name: "Sieve", dependencies: ["MIME"]),
        .testTarget(name: "SieveTests", dependencies: ["Sieve", "MIME"], resources: [.copy("Scripts")])
    ]
}
