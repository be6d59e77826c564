/// Verifying and making stored passwords in Dovecot's `{SCHEME}value` form.
/// Verification may cost up to 100 ms (crypt, Argon2): call it from `BlockingPool`, not from an event loop.
public enum Passwords {
    /// Splits `{SCHEME.enc}value`; without a prefix the value belongs to `defaultScheme`.
    public static func split(_ stored: String, defaultScheme: String) -> (scheme: String, value: String) {
        if stored.hasPrefix("{"), let close = stored.firstIndex(of: "}") {
            let name = stored[stored.index(after: stored.startIndex)..<close]
            return (String(name), String(stored[stored.index(after: close)...]))
        }
        return (defaultScheme, stored)
    }

    /// Whether `password` matches `stored`. An unknown scheme is an error (a configuration problem), not a mismatch.
    public static func verify(_ password: String, stored: String, defaultScheme: String = "CRYPT") throws -> Bool {
        let (name, value) = split(stored, defaultScheme: defaultScheme)
        guard let (scheme, encoding) = PasswordScheme.named(name) else { throw PasswordSchemeError.unknownScheme(name) }
        return scheme.verify(password, stored: value, encoding: encoding)
    }

    /// A new `{SCHEME}hash` with a fresh random salt, as `doveadm pw` prints it.
    public static func generate(_ password: String, scheme name: String) throws -> String {
        guard let (scheme, encoding) = PasswordScheme.named(name) else { throw PasswordSchemeError.unknownScheme(name) }
        return "{\(name.uppercased())}" + (try scheme.generate(password, encoding: encoding))
    }
}

extension Passwords {
    /// Every scheme name and alias, sorted.
    public static var schemeNames: [String] { PasswordScheme.names }
}
