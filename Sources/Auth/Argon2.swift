import CArgon2

/// Argon2 hashes in the PHC string form Dovecot writes (`$argon2id$v=19$m=65536,t=2,p=1$salt$hash`).
enum Argon2 {
    enum Variant {
        case i, id

        var type: argon2_type { self == .i ? Argon2_i : Argon2_id }
        /// libsodium's "interactive" limits, which Dovecot uses: 64 MiB, 2 passes for id, 4 for i.
        var passes: UInt32 { self == .i ? 4 : 2 }
    }

    static let memoryKiB: UInt32 = 65536
    static let saltLength = 16
    static let hashLength = 32

    static func verify(_ password: String, encoded: String, variant: Variant) -> Bool {
        let bytes = Array(password.utf8)
        let status = bytes.withUnsafeBytes { raw in
            argon2_verify(encoded, raw.baseAddress, raw.count, variant.type)
        }
        return status == ARGON2_OK.rawValue
    }

    static func generate(_ password: String, variant: Variant) -> String? {
        let bytes = Array(password.utf8)
        let salt = SecureRandom.bytes(saltLength)
        let length = argon2_encodedlen(variant.passes, memoryKiB, 1, UInt32(saltLength), UInt32(hashLength), variant.type)
        var output = [CChar](repeating: 0, count: length)
        let status = bytes.withUnsafeBytes { raw in
            salt.withUnsafeBytes { saltRaw in
                argon2_hash(
                    variant.passes, memoryKiB, 1, raw.baseAddress, raw.count, saltRaw.baseAddress, saltRaw.count,
                    nil, hashLength, &output, length, variant.type, UInt32(ARGON2_VERSION_13.rawValue))
            }
        }
        guard status == ARGON2_OK.rawValue else { return nil }
        return String(nulTerminated: output)
    }
}
