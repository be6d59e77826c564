import Config

/// The TLS settings, with Dovecot's names, meanings and defaults (`ssl_cert = </path` reads the file's
/// contents, exactly as in Dovecot), plus `ssl_self_signed_dir` for the embedded default.
public struct TLSSettings: Sendable, Equatable {
    /// `ssl`: no (plaintext only), yes (TLS offered), required (no authentication before TLS).
    public enum Mode: String, Sendable, Equatable { case no, yes, required }

    public var mode: Mode
    /// PEM text of the certificate chain (`ssl_cert = </path`); empty when not set.
    public var certificatePEM: String
    public var keyPEM: String
    public var keyPassword: String
    /// PEM text of `ssl_ca`: in Dovecot only for verifying client certificates, which this build never requests.
    public var caPEM: String
    /// `ssl_dh`: accepted; BoringSSL has no finite-field DHE suites, so the parameters are never used.
    public var dhPEM: String
    public var minimumProtocol: String
    public var cipherList: String
    public var preferServerCiphers: Bool
    /// Where the embedded default keeps its generated certificate when ssl_cert/ssl_key are empty.
    public var selfSignedDirectory: String
    /// `disable_plaintext_auth`: LOGIN and AUTHENTICATE PLAIN/LOGIN only on secured connections.
    public var disablePlaintextAuth: Bool
    /// `login_trusted_networks`: proxies whose forwarded client address (IMAP ID, XCLIENT) we believe.
    public var trustedNetworks: String

    /// The values `ssl_min_protocol` accepts (Dovecot's; SSLv3 and ANY mean the oldest version BoringSSL speaks).
    public static let protocolNames = ["ANY", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "LATEST"]

    public init(settings: Settings) {
        mode = Mode(rawValue: settings.string("ssl")) ?? .yes
        certificatePEM = settings.string("ssl_cert")
        keyPEM = settings.string("ssl_key")
        keyPassword = settings.string("ssl_key_password")
        caPEM = settings.string("ssl_ca")
        dhPEM = settings.string("ssl_dh")
        minimumProtocol = settings.string("ssl_min_protocol")
        cipherList = settings.string("ssl_cipher_list")
        preferServerCiphers = settings.bool("ssl_prefer_server_ciphers")
        selfSignedDirectory = settings.string("ssl_self_signed_dir")
        disablePlaintextAuth = settings.bool("disable_plaintext_auth")
        trustedNetworks = settings.string("login_trusted_networks")
    }

    static let definitions: [SettingDefinition] = [
        SettingDefinition(
            "ssl", .choice(["no", "yes", "required"]), default: "yes",
            "TLS: no, yes (STARTTLS offered, ssl listeners work), required (no login before TLS, even with a non-plaintext mechanism)."),
        SettingDefinition("ssl_cert", .string, "Certificate chain in PEM, usually read from a file: ssl_cert = </etc/ssl/mail.pem."),
        SettingDefinition("ssl_key", .string, "Private key in PEM (ssl_key = </etc/ssl/private/mail.key).", secrecy: .whole),
        SettingDefinition("ssl_key_password", .string, "Password of an encrypted ssl_key.", secrecy: .whole),
        SettingDefinition("ssl_ca", .string, "CA certificates for verifying client certificates (accepted; client certificates are not requested)."),
        SettingDefinition(
            "ssl_dh", .string,
            "DH parameters (accepted and ignored: BoringSSL offers only ECDHE key exchange and picks its groups itself)."),
        SettingDefinition("ssl_min_protocol", .choice(protocolNames), default: "TLSv1.2", "Oldest TLS version accepted."),
        SettingDefinition(
            "ssl_cipher_list", .string,
            "OpenSSL-style cipher list for TLS 1.2 and older (TLS 1.3 suites are fixed by BoringSSL); empty: swift-nio-ssl's secure default."),
        SettingDefinition(
            "ssl_prefer_server_ciphers", .bool, default: "no",
            "Prefer the server's cipher order (accepted; swift-nio-ssl does not expose it, a warning says so)."),
        SettingDefinition(
            "ssl_self_signed_dir", .string,
            "ObjectMail only: when ssl_cert and ssl_key are empty, keep a generated self-signed certificate here (created on first start)."),
        SettingDefinition(
            "disable_plaintext_auth", .bool, default: "yes",
            "Refuse LOGIN and plaintext SASL on connections that are neither TLS, nor from the local address, nor from login_trusted_networks."),
        SettingDefinition(
            "login_trusted_networks", .list,
            "Proxies (IP/bits, space separated) that may forward the client's address (IMAP ID x-originating-ip, LMTP XCLIENT); their connections count as secured."
        )
    ]

    public static func register(in registry: inout SettingsRegistry) {
        registry.register(definitions)
    }
}
