import Config
import Foundation
import NIOCore

/// The LMTP settings, read once at start-up.
public struct LMTPConfiguration: Sendable {
    /// Above this, 552 5.3.4; announced as SIZE in the LHLO reply.
    public static let builtinMaxMessageSize = 100 << 20
    /// RFC 5321 asks for at least 512 octets per command line; Postfix sends far less.
    public static let defaultMaxCommandLine = 4096
    /// Recipients of one transaction; beyond it 452 4.5.3 (RFC 5321 §4.5.3.1.10 asks servers to take at least 100,
    /// and MTAs send fewer: Postfix's LMTP client 50 a transaction). Every recipient is a save of its own, so
    /// without a bound one transaction could make the server do unbounded work.
    public static let maxRecipients = 1000

    /// A client silent this long is disconnected (421 4.4.2), like Dovecot's SMTP server's 5 minutes.
    public var idleTimeout: TimeAmount = .minutes(5)
    public var hostname: String
    public var maxMessageSize: Int
    public var maxCommandLine: Int
    public var recipientDelimiter: String
    public var saveToDetailMailbox: Bool
    public var userConcurrencyLimit: Int
    public var mailboxAutocreate: Bool
    public var mailboxAutosubscribe: Bool
    public var addDeliveredTo: Bool
    public var originalRecipientHeader: String
    /// Bodies above the threshold are received into `mail_temp_dir`, not memory.
    public var spool = SpoolConfiguration()

    public init(
        hostname: String = ProcessInfo.processInfo.hostName, maxMessageSize: Int = builtinMaxMessageSize,
        maxCommandLine: Int = defaultMaxCommandLine, recipientDelimiter: String = "+",
        saveToDetailMailbox: Bool = false, userConcurrencyLimit: Int = 0, mailboxAutocreate: Bool = false,
        mailboxAutosubscribe: Bool = false, addDeliveredTo: Bool = true, originalRecipientHeader: String = ""
    ) {
        self.hostname = hostname
        self.maxMessageSize = maxMessageSize
        self.maxCommandLine = maxCommandLine
        self.recipientDelimiter = recipientDelimiter
        self.saveToDetailMailbox = saveToDetailMailbox
        self.userConcurrencyLimit = userConcurrencyLimit
        self.mailboxAutocreate = mailboxAutocreate
        self.mailboxAutosubscribe = mailboxAutosubscribe
        self.addDeliveredTo = addDeliveredTo
        self.originalRecipientHeader = originalRecipientHeader
    }

    public init(settings: Settings) {
        let hostname = settings.string("hostname")
        let quotaMax = settings.singleSection("plugin").size("quota_max_mail_size")
        self.init(
            hostname: hostname.isEmpty ? ProcessInfo.processInfo.hostName : hostname,
            maxMessageSize: quotaMax > 0 ? Int(quotaMax) : Self.builtinMaxMessageSize,
            recipientDelimiter: settings.string("recipient_delimiter"),
            saveToDetailMailbox: settings.bool("lmtp_save_to_detail_mailbox"),
            userConcurrencyLimit: settings.number("lmtp_user_concurrency_limit"),
            mailboxAutocreate: settings.bool("lda_mailbox_autocreate"),
            mailboxAutosubscribe: settings.bool("lda_mailbox_autosubscribe"),
            addDeliveredTo: settings.bool("lda_add_delivered_to_header"),
            originalRecipientHeader: settings.string("lda_original_recipient_header"))
        spool = SpoolConfiguration(settings: settings)
    }

    /// `user+detail@domain` → (`user@domain`, `detail`), with any of the delimiter characters.
    public func splitDetail(_ address: String) -> (user: String, detail: String?) {
        guard !recipientDelimiter.isEmpty else { return (address, nil) }
        let at = address.lastIndex(of: "@") ?? address.endIndex
        let local = address[..<at]
        guard let split = local.firstIndex(where: { recipientDelimiter.contains($0) }) else { return (address, nil) }
        return (String(local[..<split]) + address[at...], String(local[local.index(after: split)...]))
    }
}
