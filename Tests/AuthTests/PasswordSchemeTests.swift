import Foundation
import Testing

@testable import Auth

/// Hashes made once by other tools for the password "secret123" and pinned here:
/// openssl passwd -1/-5/-6, mkpasswd (Debian whois), python bcrypt / argon2-cffi / passlib / hashlib.
private let externalHashes: [(tool: String, stored: String)] = [
    ("openssl passwd -1", "{MD5-CRYPT}$1$abcdefgh$TNzadvK3GJjNJPmFgcezl/"),
    ("openssl passwd -1 ({MD5} alias)", "{MD5}$1$abcdefgh$TNzadvK3GJjNJPmFgcezl/"),
    ("openssl passwd -5", "{SHA256-CRYPT}$5$saltsalt$pp3UtJp4GRPEjMVZpuim6hKkT1yP7B8qiYFzcac84T5"),
    ("openssl passwd -6", "{SHA512-CRYPT}$6$saltsalt12$o0H/vlnD7nqKW6G.6x9.qcMtzTmDGSRTNwX/0ky0qovft2rIBKOO.U0vspGpSNvlgNqRf0bMftC96y4PtCnBv."),
    ("mkpasswd -m sha512crypt", "{SHA512-CRYPT}$6$fCvoIl.THu8Hg7f4$wlQhGmfEYpo5buN6XmGnDZvQGzxvT9x5DJ6Q3iorGMAMsOu8fTny5NfBCNZzcMEJtBnhKirLAtrMFulaB7Cy//"),
    ("mkpasswd -m bcrypt -R 5", "{BLF-CRYPT}$2b$05$5uOFkRDk288upGWVfpEsUeRLOG8/B2t5zlhMG6L2zI8MLlF9hHcsS"),
    ("mkpasswd -m yescrypt", "{CRYPT}$y$j9T$kapstuZkIsTS/obXjByhB1$csoCbk5DHcQX8ZDQRFLwK0fY07Qr3yI8xxsbLnaou/1"),
    ("python bcrypt 2y", "{BLF-CRYPT}$2y$05$LzCemeUnaP.8ZcZ3muTRNOc.xj0rwqniY08hOEq5kMTLureM0XjXW"),
    ("python bcrypt 2a", "{BLF-CRYPT}$2a$05$gC0PgrkIR.24/Njr6hC40.xPJAJ8wdIahPhqshns2ubF6BxoUAx9."),
    ("passlib ldap_salted_sha1", "{SSHA}ebZxVltufeKjjyGh+MtvLa+w+8ryPud8"),
    ("passlib ldap_sha1", "{SHA}8rFPaOuZX6yzocNSh7d41b14VRE="),
    ("passlib ldap_sha1 as SHA1", "{SHA1}8rFPaOuZX6yzocNSh7d41b14VRE="),
    ("passlib ldap_salted_sha256", "{SSHA256}IupuJtdnA3V4KLkDT2kynExU94zVniLldjVOqrXnxGV9r9V6TwkBgA=="),
    ("passlib ldap_salted_sha512", "{SSHA512}MX3KdHZ2jj0Cb4fLvskAOmTLJlOxG75R/8Itkcdw3ZMkuLKkQG7icUPNuD41eeeyv3b4ZuuumgUoOo7p90Sl9VWqlbI2xvg/"),
    ("passlib ldap_md5", "{LDAP-MD5}XXhFrG7nz/+vxf5fNc9mbQ=="),
    ("passlib ldap_salted_md5", "{SMD5}08Xsc/Dv5j7kHWhh52/MHUTonTM="),
    ("hashlib md5 hex", "{PLAIN-MD5}5d7845ac6ee7cfffafc5fe5f35cf666d"),
    ("hashlib sha256 base64", "{SHA256}/PcwttlSNuzTyfwtkte2srsGFRSWGuwEHWx6cZL1kuQ="),
    ("hashlib sha256 hex", "{SHA256.HEX}fcf730b6d95236ecd3c9fc2d92d7b6b2bb061514961aec041d6c7a7192f592e4"),
    ("hashlib sha256 hex without suffix", "{SHA256}fcf730b6d95236ecd3c9fc2d92d7b6b2bb061514961aec041d6c7a7192f592e4"),
    ("hashlib sha512 base64", "{SHA512}NIc1aW50xF5/v5xoOdh/iRSG0Z5QWdt+OX1QhuSG3ABRpTN1KAXckohGNnPwpvy/KmVVSHOKhTBbLVcbrkSnHg=="),
    ("hashlib pbkdf2_hmac sha1", "{PBKDF2}$1$saltsaltsaltsalt$5000$8f8e2850be65946bcc0943f6fbc55498216d9906"),
    ("argon2-cffi argon2id", "{ARGON2ID}$argon2id$v=19$m=1024,t=2,p=1$fBt0BGmvalVV5tauEf1AUg$22bMtjDpGCkcpTSe+/ZOvSsvksEiqQh9LjjlS2RogVA"),
    ("argon2-cffi argon2i", "{ARGON2I}$argon2i$v=19$m=1024,t=2,p=1$wgKjhvhRAzzSHjw9g8F3Bg$YN+sI6Z26+7/SCg8FnwtlsRT7zd17buDjW2eQxamUUA"),
    ("plain", "{PLAIN}secret123"),
    ("cleartext", "{CLEARTEXT}secret123"),
    ("plain base64", "{PLAIN.b64}c2VjcmV0MTIz")
]

@Suite struct PasswordSchemeTests {
    @Test(arguments: externalHashes.map(\.stored))
    func externalHashVerifies(stored: String) throws {
        #expect(try Passwords.verify("secret123", stored: stored))
        #expect(try !Passwords.verify("secret124", stored: stored))
        #expect(try !Passwords.verify("", stored: stored))
    }

    @Test func defaultSchemeAppliesWithoutPrefix() throws {
        let sha512crypt = "$6$saltsalt12$o0H/vlnD7nqKW6G.6x9.qcMtzTmDGSRTNwX/0ky0qovft2rIBKOO.U0vspGpSNvlgNqRf0bMftC96y4PtCnBv."
        #expect(try Passwords.verify("secret123", stored: sha512crypt, defaultScheme: "SHA512-CRYPT"))
        #expect(try Passwords.verify("secret123", stored: "secret123", defaultScheme: "PLAIN"))
        #expect(try Passwords.verify("secret123", stored: "{ssha}ebZxVltufeKjjyGh+MtvLa+w+8ryPud8", defaultScheme: "PLAIN"))
    }

    @Test func unknownSchemeIsAnError() {
        #expect(throws: PasswordSchemeError.unknownScheme("NOPE")) { try Passwords.verify("x", stored: "{NOPE}x") }
    }

    @Test func malformedHashesFailWithoutCrashing() throws {
        for stored in ["{SHA512-CRYPT}garbage", "{SSHA}", "{SHA256}!!!", "{PBKDF2}$1$x$0$zz", "{ARGON2ID}$argon2id$nope", "{BLF-CRYPT}$2y$99$x"] {
            #expect(try !Passwords.verify("secret123", stored: stored), "\(stored)")
        }
    }

    static let generatable = [
        "PLAIN", "CLEARTEXT", "SHA", "SHA1", "SSHA", "SHA256", "SSHA256", "SHA512", "SSHA512",
        "SHA256.HEX", "SSHA512.B64", "PLAIN.B64", "PLAIN-MD5", "LDAP-MD5", "SMD5",
        "MD5-CRYPT", "SHA256-CRYPT", "SHA512-CRYPT", "BLF-CRYPT", "PBKDF2", "ARGON2I", "ARGON2ID"
    ]

    @Test(arguments: generatable)
    func generatedHashRoundTrips(scheme: String) throws {
        let first = try Passwords.generate("pässword 1", scheme: scheme)
        #expect(first.hasPrefix("{\(scheme)}"))
        #expect(try Passwords.verify("pässword 1", stored: first))
        #expect(try !Passwords.verify("pässword 2", stored: first))
        if !["PLAIN", "CLEARTEXT", "SHA", "SHA1", "SHA256", "SHA512", "SHA256.HEX", "PLAIN.B64", "PLAIN-MD5", "LDAP-MD5"].contains(scheme) {
            #expect(try Passwords.generate("pässword 1", scheme: scheme) != first, "salt must be random")
        }
    }

    @Test func generatedFormatsMatchDovecot() throws {
        #expect(try Passwords.generate("x", scheme: "SHA512-CRYPT").hasPrefix("{SHA512-CRYPT}$6$"))
        #expect(try Passwords.generate("x", scheme: "BLF-CRYPT").hasPrefix("{BLF-CRYPT}$2y$05$"))
        #expect(try Passwords.generate("x", scheme: "ARGON2ID").hasPrefix("{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$"))
        let pbkdf2 = try Passwords.generate("x", scheme: "PBKDF2")
        #expect(pbkdf2.hasPrefix("{PBKDF2}$1$") && pbkdf2.split(separator: "$").count == 5 && pbkdf2.contains("$5000$"))
        #expect(throws: PasswordSchemeError.generationUnsupported(scheme: "CRYPT")) { try Passwords.generate("x", scheme: "CRYPT") }
    }

    /// openssl, run now with a fresh salt, must agree with our verifier.
    @Test
    func liveOpensslSha512Crypt() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["passwd", "-6", "live password"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let hash = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hash.hasPrefix("$6$"))
        #expect(try Passwords.verify("live password", stored: "{SHA512-CRYPT}" + hash))
        #expect(try !Passwords.verify("live passwore", stored: "{SHA512-CRYPT}" + hash))
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals("", ""))
    }
}
