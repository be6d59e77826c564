import Logging
import NIOSSL
import Synchronization

/// The server's current TLS context. Listeners and STARTTLS read it for every new connection, so a
/// reload (SIGHUP) reaches new connections while established sessions keep the context they started with.
public final class TLSContextProvider: Sendable {
    private let current: Mutex<NIOSSLContext>

    public init(_ context: NIOSSLContext) {
        current = Mutex(context)
    }

    public var context: NIOSSLContext { current.withLock { $0 } }

    public func replace(with context: NIOSSLContext) {
        current.withLock { $0 = context }
    }

    /// The provider for `settings`, or nil when TLS is off (`ssl = no`) or has no certificate: then
    /// STARTTLS is not offered and an `inet_listener { ssl = yes }` is refused by `ListenerSpec` users.
    /// Settings swift-nio-ssl cannot honour are named in a warning, never silently dropped.
    public static func make(_ settings: TLSSettings, logger: Logger) throws -> TLSContextProvider? {
        guard let context = try makeContext(settings, logger: logger) else { return nil }
        return TLSContextProvider(context)
    }

    public static func makeContext(_ settings: TLSSettings, logger: Logger) throws -> NIOSSLContext? {
        guard settings.mode != .no else { return nil }
        var certificatePEM = settings.certificatePEM
        var keyPEM = settings.keyPEM
        if certificatePEM.isEmpty && keyPEM.isEmpty {
            guard !settings.selfSignedDirectory.isEmpty else {
                logger.warning("ssl = \(settings.mode.rawValue) but ssl_cert and ssl_key are not set: TLS is not offered")
                return nil
            }
            let loaded = try SelfSignedCertificate.load(directory: settings.selfSignedDirectory)
            (certificatePEM, keyPEM) = (loaded.certificatePEM, loaded.keyPEM)
            let files = SelfSignedCertificate.files(in: settings.selfSignedDirectory)
            if loaded.generated {
                logger.notice(
                    "generated a self-signed TLS certificate for localhost: \(files.certificatePath) (key \(files.keyPath)); set ssl_cert and ssl_key for a real one"
                )
            } else {
                logger.info("TLS with the self-signed certificate \(files.certificatePath)")
            }
        }
        guard !certificatePEM.isEmpty else { throw TLSSetupError("ssl_key is set but ssl_cert is not") }
        guard !keyPEM.isEmpty else { throw TLSSetupError("ssl_cert is set but ssl_key is not") }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        } catch {
            throw TLSSetupError("ssl_cert: not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw TLSSetupError("ssl_cert: no certificate in the PEM text") }
        let key: NIOSSLPrivateKey
        do {
            if settings.keyPassword.isEmpty {
                key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            } else {
                let password = Array(settings.keyPassword.utf8)
                key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem) { (setter: ([UInt8]) -> Void) in setter(password) }
            }
        } catch {
            // Never the password, nor the key, in the message.
            throw TLSSetupError("ssl_key: cannot read the private key (wrong ssl_key_password, or not PEM)")
        }
        if !settings.caPEM.isEmpty {
            do {
                _ = try NIOSSLCertificate.fromPEMBytes(Array(settings.caPEM.utf8))
            } catch {
                throw TLSSetupError("ssl_ca: not PEM certificates (\(error))")
            }
        }
        if !settings.dhPEM.isEmpty {
            logger.notice("ssl_dh is ignored: BoringSSL (swift-nio-ssl) offers only ECDHE key exchange and picks its groups itself")
        }
        if settings.preferServerCiphers {
            logger.warning("ssl_prefer_server_ciphers = yes cannot be honoured: swift-nio-ssl does not expose the option (TLS 1.3 suites are all strong)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key))
        configuration.minimumTLSVersion = try minimumVersion(settings.minimumProtocol)
        if !settings.cipherList.isEmpty {
            try CipherList.validate(settings.cipherList)
            configuration.cipherSuites = settings.cipherList
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError("cannot set up TLS (check ssl_cert matches ssl_key, and ssl_cipher_list): \(error)")
        }
    }

    static func minimumVersion(_ name: String) throws -> TLSVersion {
        switch name {
        case "", "ANY", "SSLv3", "TLSv1": return .tlsv1
        case "TLSv1.1": return .tlsv11
        case "TLSv1.2": return .tlsv12
        case "TLSv1.3", "LATEST": return .tlsv13
        default: throw TLSSetupError("ssl_min_protocol: unknown protocol \(name)")
        }
    }
}
