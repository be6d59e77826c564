import Foundation

@testable import Auth

/// A throw-away PostgreSQL server (Debian's postgresql) on 127.0.0.1, run as the `postgres` system user
/// (PostgreSQL refuses root): trust on its socket for setup, scram-sha-256 over TCP for the driver.
final class PostgreSQLServer {
    static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? []
        return versions.last.map { "\(root)/\($0)/bin" }.flatMap { FileManager.default.isExecutableFile(atPath: $0 + "/postgres") ? $0 : nil }
    }()
    static var available: Bool { binaries != nil && getpwnam("postgres") != nil }

    let directory: TemporaryDirectory
    let port: Int
    private let process = Process()

    init() throws {
        guard let binaries = Self.binaries, let account = getpwnam("postgres") else {
            throw AuthBackendError(driver: "test", "postgresql is not installed")
        }
        directory = try TemporaryDirectory()
        port = Int.random(in: 20000...40000)
        chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid)
        let asPostgres = ["--reuid=postgres", "--regid=postgres", "--init-groups"]
        try runSetupTool(
            "/usr/bin/setpriv",
            asPostgres + [
                "\(binaries)/initdb", "-D", "\(directory.path)/data",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres"
            ])
        // setpriv execs postgres itself, so terminating this process stops the server.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments =
            asPostgres + [
                "\(binaries)/postgres", "-D", "\(directory.path)/data", "-p", "\(port)",
                "-k", directory.path, "-c", "listen_addresses=127.0.0.1"
            ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if (try? sql("SELECT 1")) != nil { return }
            usleep(100_000)
        }
        throw AuthBackendError(driver: "test", "postgres did not start")
    }

    deinit {
        guard process.isRunning else { return }
        // Immediate shutdown (SIGQUIT): the cluster is thrown away.
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
    }

    /// Runs statements as the postgres superuser over the socket.
    func sql(_ statements: String, database: String = "postgres") throws {
        try runSetupTool(
            "/usr/bin/psql",
            [
                "-h", directory.path, "-p", "\(port)", "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-q"
            ], stdin: statements)
    }
}
