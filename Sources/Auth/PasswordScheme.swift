import Crypto

/// A password scheme by Dovecot's name (`SHA512-CRYPT`, `SSHA256`, `PLAIN` …) and how it verifies and generates.
public struct PasswordScheme: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case plain
        /// A digest of password (+ salt appended after it for salted schemes), encoded with the digest then the salt.
        case digest(DigestAlgorithm, salted: Bool)
        /// Anything libcrypt verifies; generation uses the prefix (nil: verify only).
        case crypt(prefix: String?, cost: UInt)
        case pbkdf2
        case argon2(Argon2.Variant)
    }

    enum DigestAlgorithm: Sendable, Equatable {
        case md5, sha1, sha256, sha512

        var size: Int {
            switch self {
            case .md5: return 16
            case .sha1: return 20
            case .sha256: return 32
            case .sha512: return 64
            }
        }

        func hash(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .md5: return Array(Insecure.MD5.hash(data: bytes))
            case .sha1: return Array(Insecure.SHA1.hash(data: bytes))
            case .sha256: return Array(SHA256.hash(data: bytes))
            case .sha512: return Array(SHA512.hash(data: bytes))
            }
        }
    }

    /// The canonical name, upper case, without an encoding suffix.
    public let name: String
    let kind: Kind
    /// How the stored value is written unless a `.b64`/`.hex` suffix says otherwise.
    let defaultEncoding: BinaryEncoding

    /// Every scheme by name, aliases included.
    static let all: [String: PasswordScheme] = {
        var schemes: [String: PasswordScheme] = [:]
        func add(_ name: String, _ kind: Kind, _ encoding: BinaryEncoding = .none, aliases: [String] = []) {
            let scheme = PasswordScheme(name: name, kind: kind, defaultEncoding: encoding)
            for alias in [name] + aliases { schemes[alias] = scheme }
        }
        add("PLAIN", .plain, aliases: ["CLEARTEXT"])
        add("SHA1", .digest(.sha1, salted: false), .base64, aliases: ["SHA"])
        add("SSHA", .digest(.sha1, salted: true), .base64)
        add("SHA256", .digest(.sha256, salted: false), .base64)
        add("SSHA256", .digest(.sha256, salted: true), .base64)
        add("SHA512", .digest(.sha512, salted: false), .base64)
        add("SSHA512", .digest(.sha512, salted: true), .base64)
        add("PLAIN-MD5", .digest(.md5, salted: false), .hex)
        add("LDAP-MD5", .digest(.md5, salted: false), .base64)
        add("SMD5", .digest(.md5, salted: true), .base64)
        add("CRYPT", .crypt(prefix: nil, cost: 0))
        add("MD5-CRYPT", .crypt(prefix: "$1$", cost: 0), aliases: ["MD5"])
        add("SHA256-CRYPT", .crypt(prefix: "$5$", cost: 0))
        add("SHA512-CRYPT", .crypt(prefix: "$6$", cost: 0))
        // Dovecot's default bcrypt cost is 5.
        add("BLF-CRYPT", .crypt(prefix: "$2y$", cost: 5))
        add("PBKDF2", .pbkdf2)
        add("ARGON2I", .argon2(.i))
        add("ARGON2ID", .argon2(.id))
        return schemes
    }()

    /// Names `objectmail pw -l` lists.
    public static var names: [String] { all.keys.sorted() }

    /// The scheme for a name such as `sha256.hex` (case-insensitive), and the encoding the suffix forces.
    public static func named(_ text: String) -> (scheme: PasswordScheme, encoding: BinaryEncoding?)? {
        var name = text.uppercased()
        var encoding: BinaryEncoding?
        if name.hasSuffix(".B64") || name.hasSuffix(".BASE64") {
            encoding = .base64
            name = String(name[..<name.lastIndex(of: ".")!])
        } else if name.hasSuffix(".HEX") {
            encoding = .hex
            name = String(name[..<name.lastIndex(of: ".")!])
        }
        guard let scheme = all[name] else { return nil }
        return (scheme, encoding)
    }

    func verify(_ password: String, stored: String, encoding forced: BinaryEncoding?) -> Bool {
        switch kind {
        case .plain:
            let expected = (forced ?? .none).decode(stored) ?? []
            return ConstantTime.equals(Array(password.utf8), expected)
        case .digest(let algorithm, let salted):
            guard let decoded = decodeDigest(stored, forced: forced, algorithm: algorithm, salted: salted),
                decoded.count >= algorithm.size
            else { return false }
            let salt = Array(decoded[algorithm.size...])
            return ConstantTime.equals(algorithm.hash(Array(password.utf8) + salt), decoded.prefix(algorithm.size))
        case .crypt:
            return Crypt.verify(password, stored: stored)
        case .pbkdf2:
            return PBKDF2.verify(password, stored: stored)
        case .argon2(let variant):
            return Argon2.verify(password, encoded: stored, variant: variant)
        }
    }

    /// Decodes with the declared encoding and, as Dovecot does, falls back to the other one when the
    /// length cannot be right (some tools write SHA256 in hex without saying so).
    private func decodeDigest(_ stored: String, forced: BinaryEncoding?, algorithm: DigestAlgorithm, salted: Bool) -> [UInt8]? {
        let declared = forced ?? defaultEncoding
        let fits: ([UInt8]) -> Bool = { salted ? $0.count > algorithm.size : $0.count == algorithm.size }
        if let bytes = declared.decode(stored), fits(bytes) { return bytes }
        let other: BinaryEncoding = declared == .hex ? .base64 : .hex
        if let bytes = other.decode(stored), fits(bytes) { return bytes }
        return nil
    }

    func generate(_ password: String, encoding forced: BinaryEncoding?) throws -> String {
        switch kind {
        case .plain:
            return (forced ?? .none).encode(Array(password.utf8))
        case .digest(let algorithm, let salted):
            let salt = salted ? SecureRandom.bytes(8) : []
            return (forced ?? defaultEncoding).encode(algorithm.hash(Array(password.utf8) + salt) + salt)
        case .crypt(let prefix, let cost):
            guard let prefix else { throw PasswordSchemeError.generationUnsupported(scheme: name) }
            guard let setting = Crypt.generateSetting(prefix: prefix, count: cost),
                let hash = Crypt.hash(password, setting: setting)
            else {
                throw PasswordSchemeError.libraryFailure(scheme: name)
            }
            return hash
        case .pbkdf2:
            return PBKDF2.generate(password)
        case .argon2(let variant):
            guard let hash = Argon2.generate(password, variant: variant) else {
                throw PasswordSchemeError.libraryFailure(scheme: name)
            }
            return hash
        }
    }
}

public enum PasswordSchemeError: Error, Equatable, CustomStringConvertible {
    case unknownScheme(String)
    case generationUnsupported(scheme: String)
    case libraryFailure(scheme: String)

    public var description: String {
        switch self {
        case .unknownScheme(let name): return "Unknown password scheme \(name)"
        case .generationUnsupported(let name): return "Scheme \(name) can only verify; pick e.g. SHA512-CRYPT to make hashes"
        case .libraryFailure(let name): return "The crypto library failed to make a \(name) hash"
        }
    }
}
