import Crypto
import Foundation
import X509

/// The embedded default's certificate: a P-256 key and a self-signed certificate for localhost, made on
/// first start and kept (so clients that pinned it keep trusting it across restarts).
public enum SelfSignedCertificate {
    public struct Files: Sendable, Equatable {
        public var certificatePath: String
        public var keyPath: String
    }

    public static func files(in directory: String) -> Files {
        Files(certificatePath: directory + "/objectmail-selfsigned.pem", keyPath: directory + "/objectmail-selfsigned.key")
    }

    /// The PEM texts from `directory`, generating them first when missing; `generated` says which happened.
    public static func load(directory: String) throws -> (certificatePEM: String, keyPEM: String, generated: Bool) {
        let files = files(in: directory)
        let manager = FileManager.default
        if manager.fileExists(atPath: files.certificatePath) && manager.fileExists(atPath: files.keyPath) {
            return (
                try String(contentsOfFile: files.certificatePath, encoding: .utf8),
                try String(contentsOfFile: files.keyPath, encoding: .utf8), false
            )
        }
        let (certificatePEM, keyPEM) = try make(hostName: "localhost")
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The key first, private from the start, then the certificate: a crash in between regenerates both.
        guard manager.createFile(atPath: files.keyPath, contents: Data(keyPEM.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw TLSSetupError("cannot write \(files.keyPath)")
        }
        try Data(certificatePEM.utf8).write(to: URL(fileURLWithPath: files.certificatePath), options: .atomic)
        return (certificatePEM, keyPEM, true)
    }

    /// A new key and a certificate valid for ten years for `hostName` and localhost (clients connecting to
    /// 127.0.0.1 name localhost as the server name).
    public static func make(hostName: String) throws -> (certificatePEM: String, keyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("ObjectMail self-signed")
            CommonName(hostName)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(Set([hostName, "localhost"]).sorted().map { .dnsName($0) })
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }
}

/// A TLS setting that cannot be honoured: the server refuses to start rather than run without TLS.
public struct TLSSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
