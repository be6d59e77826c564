import Auth
import Config
import Foundation

/// The tests' users: a passwd-file (`user:{PLAIN}password::::::` lines) serving as passdb and userdb.
enum PasswdFileUsers {
    /// Writes `lines` to `root`/users and returns the settings naming it.
    static func settings(_ lines: String, in root: String) throws -> Settings {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try lines.write(toFile: "\(root)/users", atomically: true, encoding: .utf8)
        var registry = SettingsRegistry()
        AuthSettings.register(in: &registry)
        return try registry.load(
            text: """
                passdb {
                  driver = passwd-file
                  args = \(root)/users
                }
                userdb {
                  driver = passwd-file
                  args = \(root)/users
                }
                """)
    }
}
