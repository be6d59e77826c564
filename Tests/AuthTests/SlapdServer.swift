import Foundation

@testable import Auth

/// A throw-away OpenLDAP server (Debian's slapd) on 127.0.0.1 with People under dc=example,dc=com.
/// cn=dovecot may read userPassword (for auth_bind = no); everyone may bind.
final class SlapdServer {
    static let daemon = "/usr/sbin/slapd"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: daemon) }
    /// "secret123" as passlib's ldap_salted_sha1 made it.
    static let janePassword = "{SSHA}kbVxu2tf3ROOAnYLL9SI+bEPLo/Lube2"

    let directory: TemporaryDirectory
    let port: Int
    private let process = Process()

    var uri: String { "ldap://127.0.0.1:\(port)" }

    /// The self-signed certificate slapd presents for STARTTLS (CN and SAN 127.0.0.1).
    var certificate: String { directory.path + "/cert.pem" }

    init() throws {
        directory = try TemporaryDirectory()
        port = Int.random(in: 20000...40000)
        let path = directory.path
        try FileManager.default.createDirectory(atPath: path + "/db", withIntermediateDirectories: true)
        try runSetupTool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path + "/key.pem",
                "-out", path + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"
            ])
        let config = try directory.write(
            "slapd.conf",
            """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/nis.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            TLSCertificateFile \(path)/cert.pem
            TLSCertificateKeyFile \(path)/key.pem
            pidfile \(path)/slapd.pid
            database mdb
            maxsize 10485760
            suffix "dc=example,dc=com"
            rootdn "cn=admin,dc=example,dc=com"
            rootpw adminpw
            directory \(path)/db
            access to attrs=userPassword
              by dn.exact="cn=dovecot,dc=example,dc=com" read
              by anonymous auth
              by * none
            access to * by * read

            """)
        let people = [("jane", 1000, Self.janePassword), ("bob", 1001, "{CRYPT}" + Fixture.bareSha512crypt), ("o*brien", 1002, "irish")]
        var ldif = """
            dn: dc=example,dc=com
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: ou=People,dc=example,dc=com
            objectClass: organizationalUnit
            ou: People

            dn: cn=dovecot,dc=example,dc=com
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: dovecot
            userPassword: dovecotpw

            """
        for (uid, number, password) in people {
            ldif += """

                dn: uid=\(uid),ou=People,dc=example,dc=com
                objectClass: inetOrgPerson
                objectClass: posixAccount
                uid: \(uid)
                cn: \(uid)
                sn: \(uid)
                uidNumber: \(number)
                gidNumber: 1000
                homeDirectory: /var/vmail/\(uid)
                userPassword: \(password)


                """
        }
        let data = try directory.write("data.ldif", ldif)
        try runSetupTool("/usr/sbin/slapadd", ["-f", config, "-l", data])
        process.executableURL = URL(fileURLWithPath: Self.daemon)
        process.arguments = ["-d", "0", "-f", config, "-h", "\(uri)/"]
        _ = FileManager.default.createFile(atPath: path + "/slapd.log", contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: path + "/slapd.log")
        try process.run()
        for _ in 0..<100 {
            if (try? runSetupTool("/usr/bin/ldapsearch", ["-x", "-H", uri, "-b", "dc=example,dc=com", "-s", "base"])) != nil { return }
            usleep(100_000)
        }
        process.terminate()
        let log = (try? String(contentsOfFile: path + "/slapd.log", encoding: .utf8)) ?? ""
        throw AuthBackendError(driver: "test", "slapd did not start: \(log)")
    }

    deinit {
        guard process.isRunning else { return }
        // slapd's graceful SIGTERM shutdown can wait on client connections: the data is throw-away.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
