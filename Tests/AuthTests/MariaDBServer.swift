import Foundation

@testable import Auth

/// A throw-away MariaDB server (Debian's mariadb-server) on 127.0.0.1, with its own data directory.
final class MariaDBServer {
    static let daemon = "/usr/sbin/mariadbd"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: daemon) }

    let directory: TemporaryDirectory
    let port: Int
    private let process = Process()

    var socket: String { directory.path + "/sock" }

    init() throws {
        directory = try TemporaryDirectory()
        port = Int.random(in: 20000...40000)
        try runSetupTool(
            "/usr/bin/mariadb-install-db",
            [
                "--no-defaults", "--datadir=\(directory.path)/data",
                "--auth-root-authentication-method=normal", "--skip-test-db", "--user=root"
            ])
        process.executableURL = URL(fileURLWithPath: Self.daemon)
        process.arguments = [
            "--no-defaults", "--user=root", "--datadir=\(directory.path)/data", "--socket=\(socket)",
            "--port=\(port)", "--bind-address=127.0.0.1", "--pid-file=\(directory.path)/pid",
            "--log-error=\(directory.path)/error.log", "--innodb-buffer-pool-size=16M", "--skip-log-bin"
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<150 {
            if (try? sql("SELECT 1")) != nil { return }
            usleep(200_000)
        }
        process.terminate()
        throw AuthBackendError(driver: "test", "mariadbd did not start: see \(directory.path)/error.log")
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs statements as root over the socket.
    func sql(_ statements: String) throws {
        try runSetupTool("/usr/bin/mariadb", ["--no-defaults", "-S", socket, "-uroot"], stdin: statements)
    }
}
