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
    targets: configTargets + objectStoreTargets + authTargets + executableTargets
)

// MARK: Config: the Dovecot-syntax configuration language, %-variables, the settings registry.
var configTargets: [Target] { [
    .target(name: "Config", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    .testTarget(name: "ConfigTests", dependencies: ["Config"], resources: [.copy("Fixtures")]),
] }

// MARK: ObjectStore: the lib-fs style storage pipeline (posix, compress, randomfail, s3 …).
var objectStoreTargets: [Target] { [
    .target(name: "ObjectStore", dependencies: [.product(name: "Logging", package: "swift-log")]),
] }

// MARK: Auth: passdb/userdb drivers, password schemes, master users, cache, penalties.
var authTargets: [Target] { [
    .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt"),
    .systemLibrary(name: "CArgon2", pkgConfig: "libargon2"),
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"),
    .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb"),
    .systemLibrary(name: "CLDAP", pkgConfig: "ldap"),
    .systemLibrary(name: "CPostgreSQL", pkgConfig: "libpq"),
    .target(name: "Auth", dependencies: [
        "Config", "CCrypt", "CArgon2", "CSQLite", "CMariaDB", "CLDAP", "CPostgreSQL",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    .testTarget(name: "AuthTests", dependencies: ["Auth", "Config"]),
    .executableTarget(name: "auth-bench", dependencies: ["Auth", "Config"], path: "bench/AuthBench"),
] }

// MARK: The command line.
var executableTargets: [Target] { [
    .executableTarget(name: "objectmail", dependencies: [
        "Config", "ObjectStore", "Auth",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]),
] }
