import Crypto
import Primitives

/// Dovecot's PBKDF2 scheme: `$1$SALT$ROUNDS$HEX` with PBKDF2-HMAC-SHA1, a 20-byte key and the salt used as text.
enum PBKDF2 {
    static let defaultRounds = 5000
    static let keyLength = 20

    static func derive(_ password: String, salt: String, rounds: Int) -> [UInt8] {
        let key = SymmetricKey(data: Array(password.utf8))
        // One block is enough: SHA-1's output is exactly the 20-byte key.
        var block = Array(salt.utf8) + [0, 0, 0, 1]
        var u = Array(HMAC<Insecure.SHA1>.authenticationCode(for: block, using: key))
        var result = u
        if rounds > 1 {
            for _ in 1..<rounds {
                block = u
                u = Array(HMAC<Insecure.SHA1>.authenticationCode(for: block, using: key))
                for index in 0..<result.count { result[index] ^= u[index] }
            }
        }
        return Array(result.prefix(keyLength))
    }

    static func verify(_ password: String, stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        // "", "1", salt, rounds, hex
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "1", let rounds = Int(parts[3]), rounds > 0,
            let expected = Hex.decode(parts[4])
        else { return false }
        return ConstantTime.equals(derive(password, salt: String(parts[2]), rounds: rounds), expected)
    }

    static func generate(_ password: String) -> String {
        let salt = SecureRandom.alphanumeric(16)
        let key = derive(password, salt: salt, rounds: defaultRounds)
        return "$1$\(salt)$\(defaultRounds)$\(Hex.encode(key))"
    }
}
