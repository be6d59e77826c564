import Config

/// Where message bodies live while they are received (APPEND literals, LMTP DATA/BDAT): in memory up to
/// `threshold` bytes, above it in a file in `mail_temp_dir` (Dovecot's setting, default /tmp), so a
/// connection's memory does not grow with the size of the mail it sends.
public struct SpoolConfiguration: Sendable, Equatable {
    /// Dovecot keeps up to 128 KiB of a mail being saved in memory before it uses a temporary file
    /// (`IO_BLOCK_SIZE`-sized buffers up to its istream-seekable limit); the same threshold here.
    public static let defaultThreshold = 128 * 1024

    /// `mail_temp_dir`.
    public var directory: String
    /// Bodies larger than this go to a file; smaller ones stay in memory.
    public var threshold: Int

    public init(directory: String = "/tmp", threshold: Int = defaultThreshold) {
        self.directory = directory
        self.threshold = threshold
    }

    public init(settings: Settings) {
        // isSet first: the storage module registers mail_temp_dir, and a configuration without it (unit tests) has
        // none to read; unset, the registered default is /tmp too.
        self.init(directory: settings.isSet("mail_temp_dir") ? settings.string("mail_temp_dir") : "/tmp")
    }
}
