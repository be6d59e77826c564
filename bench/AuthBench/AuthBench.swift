import Auth
import Config
import Foundation

/// Logins per second against a passwd-file of SHA512-CRYPT hashes, without and with the auth cache.
/// Usage: auth-bench [USERS] [LOGINS] [CONCURRENCY]
@main
struct AuthBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let userCount = arguments.count > 0 ? arguments[0] : 50
        let logins = arguments.count > 1 ? arguments[1] : 2000
        let concurrency = arguments.count > 2 ? arguments[2] : ProcessInfo.processInfo.activeProcessorCount * 2

        let directory = NSTemporaryDirectory() + "auth-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var lines: [String] = []
        for index in 0..<userCount {
            lines.append("user\(index)@example.com:\(try Passwords.generate("password\(index)", scheme: "SHA512-CRYPT"))::::/var/vmail/user\(index)::")
        }
        let passwd = directory + "/passwd"
        try lines.joined(separator: "\n").write(toFile: passwd, atomically: true, encoding: .utf8)

        var registry = SettingsRegistry()
        AuthSettings.register(in: &registry)
        func authenticator(cache: Bool) throws -> Authenticator {
            try Authenticator(
                settings: registry.load(
                    text: """
                        auth_failure_delay = 0
                        auth_cache_size = \(cache ? "10M" : "0")
                        passdb {
                          driver = passwd-file
                          args = \(passwd)
                        }
                        userdb {
                          driver = passwd-file
                          args = \(passwd)
                        }
                        """))
        }

        print("auth-bench: \(userCount) users (SHA512-CRYPT, 5000 rounds), \(logins) logins, \(concurrency) concurrent")
        let uncached = try await measure(try authenticator(cache: false), users: userCount, logins: logins, concurrency: concurrency)
        print(String(format: "without cache: %10.1f logins/s", uncached))
        let cachedAuthenticator = try authenticator(cache: true)
        // Fill the cache once, then measure repeat logins only.
        _ = try await measure(cachedAuthenticator, users: userCount, logins: userCount, concurrency: concurrency)
        let cached = try await measure(cachedAuthenticator, users: userCount, logins: logins * 20, concurrency: concurrency)
        print(String(format: "with cache:    %10.1f logins/s (repeat logins)", cached))
        print(String(format: "speed-up:      %10.1f x (target >= 20 x)", cached / uncached))
    }

    static func measure(_ authenticator: Authenticator, users: Int, logins: Int, concurrency: Int) async throws -> Double {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var index = worker
                    while index < logins {
                        let user = index % users
                        let result = await authenticator.authenticate(
                            user: "user\(user)@example.com", password: "password\(user)",
                            service: "imap", remoteIP: "192.0.2.\(user % 250)")
                        guard result.isSuccess else { throw AuthBackendError(driver: "bench", "login \(user) failed: \(result)") }
                        index += concurrency
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(logins) / seconds
    }
}
