import Auth
import Config
import Foundation
import Logging
import Testing

@testable import Server

@Suite struct TLSSettingsTests {
    func load(_ text: String) throws -> Settings {
        var registry = SettingsRegistry()
        ServerSettings.register(in: &registry)
        TLSSettings.register(in: &registry)
        return try registry.load(text: text, file: "test.conf")
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "tls-settings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    let logger = Logger(label: "test")

    @Test func defaultsAreDovecots() throws {
        let settings = TLSSettings(settings: try load(""))
        #expect(settings.mode == .yes)
        #expect(settings.minimumProtocol == "TLSv1.2")
        #expect(settings.disablePlaintextAuth)
        #expect(!settings.preferServerCiphers)
        #expect(settings.trustedNetworks.isEmpty)
        // ssl = yes without a certificate: no TLS offered (a warning), rather than a server that cannot start.
        #expect(try TLSContextProvider.make(settings, logger: logger) == nil)
    }

    @Test func unknownValuesAreConfigErrors() throws {
        #expect(throws: ConfigError.self) { try load("ssl = maybe") }
        #expect(throws: ConfigError.self) { try load("ssl_min_protocol = TLSv1.4") }
        #expect(throws: ConfigError.self) { try load("disable_plaintext_auth = sometimes") }
    }

    @Test func certificateFilesAreReadWithTheLessThanSyntax() throws {
        let directory = try temporaryDirectory()
        let (certificate, key) = try SelfSignedCertificate.make(hostName: "mail.example.com")
        try certificate.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        try key.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
        let settings = TLSSettings(
            settings: try load(
                """
                ssl = required
                ssl_cert = <\(directory)/cert.pem
                ssl_key = <\(directory)/key.pem
                ssl_min_protocol = TLSv1.3
                ssl_dh = <\(directory)/cert.pem
                ssl_prefer_server_ciphers = yes
                login_trusted_networks = 10.0.0.0/8 192.0.2.1
                """))
        #expect(settings.mode == .required)
        #expect(settings.certificatePEM == certificate)
        #expect(try TLSContextProvider.minimumVersion(settings.minimumProtocol) == .tlsv13)
        #expect(try TLSContextProvider.make(settings, logger: logger) != nil)
        let security = try ConnectionSecurity(settings: settings, logger: logger)
        #expect(security.trustedNetworks.contains("10.1.2.3") && security.trustedNetworks.contains("192.0.2.1"))
        #expect(!security.trustedNetworks.contains("192.0.2.2"))
    }

    @Test func aMissingCertificateFileIsAConfigError() throws {
        #expect(throws: ConfigError.self) { try load("ssl_cert = </nonexistent/objectmail/cert.pem") }
    }

    @Test func halfAConfigurationOrABadKeyIsRefused() throws {
        let (certificate, key) = try SelfSignedCertificate.make(hostName: "localhost")
        var settings = TLSSettings(settings: try load(""))
        settings.certificatePEM = certificate
        #expect(throws: TLSSetupError.self) { try TLSContextProvider.make(settings, logger: logger) }
        settings.keyPEM = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
        settings.keyPassword = "hunter2"
        let error = #expect(throws: TLSSetupError.self) { try TLSContextProvider.make(settings, logger: logger) }
        #expect(error?.description.contains("hunter2") == false)
        settings.keyPEM = key
        settings.keyPassword = ""
        settings.cipherList = "NO-SUCH-CIPHER"
        #expect(throws: TLSSetupError.self) { try TLSContextProvider.make(settings, logger: logger) }
        settings.cipherList = "ECDHE+AESGCM"
        #expect(try TLSContextProvider.make(settings, logger: logger) != nil)
        // Dovecot 2.3's default list works as it is.
        settings.cipherList = "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH"
        #expect(try TLSContextProvider.make(settings, logger: logger) != nil)
        for refused in ["ALL:!ALL", "[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]", "HIGH:@SECLEVEL=2", "!ECDHE:!RSA:!PSK"] {
            settings.cipherList = refused
            #expect(throws: TLSSetupError.self) { try TLSContextProvider.make(settings, logger: logger) }
        }
        settings.mode = .no
        #expect(try TLSContextProvider.make(settings, logger: logger) == nil)
    }

    @Test func selfSignedCertificateIsGeneratedOnceAndKeptPrivate() throws {
        let directory = try temporaryDirectory() + "/tls"
        let first = try SelfSignedCertificate.load(directory: directory)
        let second = try SelfSignedCertificate.load(directory: directory)
        #expect(first.generated && !second.generated)
        #expect(first.certificatePEM == second.certificatePEM && first.keyPEM == second.keyPEM)
        let files = SelfSignedCertificate.files(in: directory)
        let mode = try FileManager.default.attributesOfItem(atPath: files.keyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func implicitTLSListeners() throws {
        let specs = try ListenerSpec.all(
            from: try load(
                """
                protocols = imap
                service imap-login {
                  inet_listener imap {
                    address = 127.0.0.1
                    port = 143
                  }
                  inet_listener imaps {
                    address = 127.0.0.1
                    port = 993
                    ssl = yes
                  }
                }
                """))
        #expect(specs.map(\.ssl) == [false, true])
        #expect(specs.map(\.description) == ["imap on 127.0.0.1:143", "imap on 127.0.0.1:993 (TLS)"])
    }
}

@Suite struct ConnectionSecurityTests {
    func client(_ remote: String?, local: String?) -> ClientAddress {
        ClientAddress(connectionIP: remote, connectionLocalIP: local)
    }

    let security = ConnectionSecurity(tls: nil, mode: .yes, disablePlaintextAuth: true, trustedNetworks: NetworkList("10.0.0.0/8"))

    @Test func securedAsDovecotDecides() {
        #expect(security.isSecured(client("127.0.0.1", local: "127.0.0.1"), tls: false))
        #expect(!security.isSecured(client("127.0.0.2", local: "127.0.0.1"), tls: false))
        #expect(security.isSecured(client("127.0.0.2", local: "127.0.0.1"), tls: true))
        #expect(security.isSecured(client("10.9.8.7", local: "192.0.2.1"), tls: false))
        #expect(security.isSecured(client(nil, local: nil), tls: false)) // Unix socket
        #expect(!security.allowsPlaintextAuth(client("198.51.100.1", local: "192.0.2.1"), tls: false))
        var relaxed = security
        relaxed.disablePlaintextAuth = false
        #expect(relaxed.allowsPlaintextAuth(client("198.51.100.1", local: "192.0.2.1"), tls: false))
        relaxed.mode = .required
        #expect(!relaxed.allowsPlaintextAuth(client("198.51.100.1", local: "192.0.2.1"), tls: false))
    }

    @Test func forwardedFieldsOnlyFromTrustedProxiesAndOnlyValidOnes() {
        var transport = SessionTransport(security: security, client: client("198.51.100.1", local: "192.0.2.1"))
        let fromStranger = transport.applyForwarded([("x-originating-ip", "203.0.113.5")])
        #expect(!fromStranger)
        #expect(transport.client.ip == "198.51.100.1")

        transport = SessionTransport(security: security, client: client("10.0.0.5", local: "10.0.0.1"))
        let fromProxy = transport.applyForwarded([
            ("X-Originating-IP", "203.0.113.5"), ("x-originating-port", "4567"),
            ("x-connected-ip", "192.0.2.10"), ("x-connected-port", "993"),
            ("x-session-id", "abcDEF123"), ("x-proxy-ttl", "4")
        ])
        #expect(fromProxy)
        #expect(transport.client.ip == "203.0.113.5" && transport.client.port == 4567)
        #expect(transport.client.localIP == "192.0.2.10" && transport.client.localPort == 993)
        #expect(transport.client.forwardedSessionID == "abcDEF123")
        #expect(transport.client.logFields == "rip=203.0.113.5, rport=4567, lip=192.0.2.10, lport=993")
        // The secured rule still looks at the socket: the proxy is trusted.
        #expect(transport.secured)
        transport.applyForwarded([("x-originating-ip", "not-an-ip"), ("x-originating-port", "70000")])
        #expect(transport.client.ip == "203.0.113.5" && transport.client.port == 4567)
    }

    @Test func xclientParameters() {
        #expect(
            XClient.parse("ADDR=192.0.2.1 PORT=25 HELO=mx.example+2Eorg LOGIN=[UNAVAILABLE]") == [
                "ADDR": "192.0.2.1", "PORT": "25", "HELO": "mx.example.org", "LOGIN": "[UNAVAILABLE]"
            ])
        #expect(XClient.parse("BOGUS=1") == nil)
        #expect(XClient.parse("") == nil)
        var transport = SessionTransport(security: security, client: client("10.0.0.5", local: "10.0.0.1"))
        let applied = transport.applyXClient(["ADDR": "IPV6:2001:db8::1", "PORT": "[TEMPUNAVAIL]", "HELO": "mx.example.org"])
        #expect(applied)
        #expect(transport.client.ip == "2001:db8::1" && transport.client.port == nil)
        #expect(transport.client.forwardedHelo == "mx.example.org")
    }

    @Test func starttlsDropsInputUntilTheHandshake() {
        var transport = SessionTransport(security: security, client: client("127.0.0.1", local: "127.0.0.1"))
        #expect(!transport.canStartTLS) // no certificate configured
        transport.startingTLS()
        let first = transport.accepts()
        let second = transport.accepts()
        #expect(!first && !second && transport.droppedFrames == 2)
        transport.handshakeCompleted(logger: Logger(label: "test"))
        let after = transport.accepts()
        #expect(after && transport.tlsActive && transport.droppedFrames == 0)
    }
}
