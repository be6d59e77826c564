import Foundation

/// Checks `ssl_cipher_list` before it reaches BoringSSL: swift-nio-ssl stops the process (a precondition)
/// when BoringSSL refuses a list, where Dovecot would print an error. BoringSSL refuses bad syntax and a
/// list that leaves no cipher; unknown words (OpenSSL's aNULL, EXPORT, RC4 …) it skips, and so does this.
/// The model holds only ciphers BoringSSL really offers for TLS 1.2, so it never finds a cipher BoringSSL
/// would not: at worst it refuses a list BoringSSL would take (3DES alone).
enum CipherList {
    private struct Cipher: Sendable {
        var names: [String]
        var kx: String, auth: String, enc: String, mac: String
        var tls12Only: Bool
    }

    private static let ciphers: [Cipher] = {
        var list: [Cipher] = []
        func add(_ name: String, _ kx: String, _ auth: String, _ enc: String, _ mac: String) {
            list.append(Cipher(names: [name], kx: kx, auth: auth, enc: enc, mac: mac, tls12Only: mac == "AEAD"))
        }
        add("AES128-SHA", "RSA", "RSA", "AES128", "SHA1")
        add("AES256-SHA", "RSA", "RSA", "AES256", "SHA1")
        add("AES128-GCM-SHA256", "RSA", "RSA", "AES128GCM", "AEAD")
        add("AES256-GCM-SHA384", "RSA", "RSA", "AES256GCM", "AEAD")
        add("PSK-AES128-CBC-SHA", "PSK", "PSK", "AES128", "SHA1")
        add("PSK-AES256-CBC-SHA", "PSK", "PSK", "AES256", "SHA1")
        add("ECDHE-ECDSA-AES128-SHA", "ECDHE", "ECDSA", "AES128", "SHA1")
        add("ECDHE-ECDSA-AES256-SHA", "ECDHE", "ECDSA", "AES256", "SHA1")
        add("ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES128", "SHA1")
        add("ECDHE-RSA-AES256-SHA", "ECDHE", "RSA", "AES256", "SHA1")
        add("ECDHE-PSK-AES128-CBC-SHA", "ECDHE", "PSK", "AES128", "SHA1")
        add("ECDHE-PSK-AES256-CBC-SHA", "ECDHE", "PSK", "AES256", "SHA1")
        add("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE", "ECDSA", "AES128GCM", "AEAD")
        add("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE", "ECDSA", "AES256GCM", "AEAD")
        add("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AES128GCM", "AEAD")
        add("ECDHE-RSA-AES256-GCM-SHA384", "ECDHE", "RSA", "AES256GCM", "AEAD")
        add("ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20", "AEAD")
        add("ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE", "ECDSA", "CHACHA20", "AEAD")
        add("ECDHE-PSK-CHACHA20-POLY1305", "ECDHE", "PSK", "CHACHA20", "AEAD")
        return list
    }()

    /// BoringSSL's aliases (ssl_cipher.cc), as predicates on the model.
    private static let aliases: [String: @Sendable (Cipher) -> Bool] = [
        "ALL": { _ in true }, "HIGH": { _ in true }, "FIPS": { _ in true }, "DEFAULT": { _ in true },
        "kRSA": { $0.kx == "RSA" }, "kECDHE": { $0.kx == "ECDHE" }, "kEECDH": { $0.kx == "ECDHE" }, "ECDH": { $0.kx == "ECDHE" },
        "kPSK": { $0.kx == "PSK" }, "aRSA": { $0.auth == "RSA" }, "aECDSA": { $0.auth == "ECDSA" },
        "ECDSA": { $0.auth == "ECDSA" }, "aPSK": { $0.auth == "PSK" }, "ECDHE": { $0.kx == "ECDHE" },
        "EECDH": { $0.kx == "ECDHE" }, "RSA": { $0.kx == "RSA" && $0.auth == "RSA" }, "PSK": { $0.kx == "PSK" && $0.auth == "PSK" },
        "AES128": { $0.enc.hasPrefix("AES128") }, "AES256": { $0.enc.hasPrefix("AES256") }, "AES": { $0.enc.hasPrefix("AES") },
        "AESGCM": { $0.enc.hasSuffix("GCM") }, "CHACHA20": { $0.enc == "CHACHA20" },
        "SHA1": { $0.mac == "SHA1" }, "SHA": { $0.mac == "SHA1" },
        "SSLv3": { !$0.tls12Only }, "TLSv1": { !$0.tls12Only }, "TLSv1.2": { $0.tls12Only }
    ]

    static func validate(_ text: String) throws {
        var active = Set<String>()
        var killed = Set<String>()
        // "@STRENGTH" may follow a rule without a separator ("!LOW@STRENGTH"), as in OpenSSL.
        for element in text.replacingOccurrences(of: "@", with: ":@").split(whereSeparator: { ":, ;".contains($0) }) {
            var word = Substring(element)
            let operation = word.first.flatMap { "-+!@".contains($0) ? $0 : nil }
            if operation != nil { word = word.dropFirst() }
            guard !word.isEmpty, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._+".contains($0)) }) else {
                throw TLSSetupError(
                    "ssl_cipher_list: '\(element)' is not a cipher rule this TLS library understands"
                        + " (equal-preference groups [a|b] and @SECLEVEL are not supported)")
            }
            if operation == "@" {
                guard word == "STRENGTH" else { throw TLSSetupError("ssl_cipher_list: only @STRENGTH is supported, not @\(word)") }
                continue
            }
            guard let matching = matches(word) else { continue } // unknown: skipped, as BoringSSL does
            switch operation {
            case "-": active.subtract(matching)
            case "!":
                active.subtract(matching)
                killed.formUnion(matching)
            case "+": break
            default: active.formUnion(matching.subtracting(killed))
            }
        }
        guard !active.isEmpty else {
            throw TLSSetupError("ssl_cipher_list '\(text)' leaves no TLS 1.2 cipher this TLS library offers")
        }
    }

    /// The ciphers a rule names: one exact name, or aliases joined by `+` (all must match); nil when unknown.
    private static func matches(_ word: Substring) -> Set<String>? {
        let parts = word.split(separator: "+")
        if parts.count == 1, let cipher = ciphers.first(where: { $0.names.contains(String(word)) }) {
            return [cipher.names[0]]
        }
        var predicates: [@Sendable (Cipher) -> Bool] = []
        for part in parts {
            guard let predicate = aliases[String(part)] else { return nil }
            predicates.append(predicate)
        }
        return Set(ciphers.filter { cipher in predicates.allSatisfy { $0(cipher) } }.map { $0.names[0] })
    }
}
