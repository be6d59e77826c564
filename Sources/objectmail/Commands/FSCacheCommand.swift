import ArgumentParser
import Config
import FSCache

/// `objectmail fscache rescan DIR [MAX_AGE]`: cache maintenance, like doveadm fscache.
struct FSCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fscache",
        abstract: "Maintain an fscache directory.",
        subcommands: [Rescan.self]
    )

    struct Rescan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute a cache directory's size and drop entries older than MAX_AGE.",
            discussion:
                "MAX_AGE is a Dovecot time interval: 3600, 30 mins, 12h, 7d, 2w. Also removes leftovers of crashed fills. Run it while no server uses the directory, or restart the server after it (the server keeps its own accounting)."
        )
        @Argument(help: "The cache directory (after %-variable expansion).") var directory: String
        @Argument(help: "Drop entries last written longer ago than this.") var maxAge: String?

        func run() async throws {
            var age: Double?
            if let maxAge {
                guard let seconds = SettingType.parseMilliseconds(maxAge).map({ Double($0) / 1000 }) else {
                    throw ValidationError("MAX_AGE \"\(maxAge)\" is not a time interval such as 3600, 12h or 7d")
                }
                age = seconds
            }
            let report = try await rescanFSCache(directory: directory, maxAge: age)
            print("entries=\(report.entries) bytes=\(report.bytes) expired=\(report.expired) removed-invalid=\(report.removedInvalid)")
        }
    }
}
