import Foundation
import MailModel

/// A message to save (APPEND, LMTP delivery): its bytes as received and what the client set.
public struct IncomingMessage: Sendable {
    /// The message in memory; empty when it is in `spool`.
    public var bytes: [UInt8]
    /// A large message received into a file in `mail_temp_dir` (`bytes` is empty then): it is parsed from the
    /// mapped file and uploaded from it, never held in memory whole.
    public var spool: SpoolFile?
    public var flags: MessageFlags
    public var keywords: [String]
    public var internalDate: Date

    public init(bytes: [UInt8], flags: MessageFlags = [], keywords: [String] = [], internalDate: Date = Date()) {
        self.bytes = bytes
        self.flags = flags
        self.keywords = keywords
        self.internalDate = internalDate
    }

    public init(spool: SpoolFile, flags: MessageFlags = [], keywords: [String] = [], internalDate: Date = Date()) {
        self.init(bytes: [], flags: flags, keywords: keywords, internalDate: internalDate)
        self.spool = spool
    }

    /// The message's size in bytes, wherever it is.
    public var size: Int { spool.map { Int($0.size) } ?? bytes.count }
}
