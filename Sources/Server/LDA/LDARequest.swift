import Foundation

/// One `objectmail lda` delivery as the command sends it to the running server over the admin socket.
///
/// The exchange (`LDAConnection` in the executable): the command writes `lda\t<this as JSON>\n`; the server
/// answers `+\n` when the user exists and the size is acceptable, or at once with the final `LDAResult`; after
/// `+` the command writes exactly `size` bytes of message, and the server answers with the `LDAResult` line once
/// the save is over. The size is known up front because the command reads its input into a spool first, as
/// dovecot-lda does, so a slow MTA never holds a server thread.
public struct LDARequest: Codable, Sendable, Equatable {
    /// -d: the userdb's user.
    public var user: String
    /// -f, else the address of a leading mbox `From ` line, else MAILER-DAEMON (dovecot-lda's default). Logged only:
    /// dovecot-lda adds no Return-Path (the MTA does, Postfix's pipe with flags=R).
    public var sender: String
    /// -a: the original recipient address; -r: the final one. Logged only: as in dovecot-lda, a +detail in them
    /// chooses no mailbox (-m does, e.g. Postfix's `-m ${extension}`).
    public var originalRecipient: String?
    public var finalRecipient: String?
    /// -m: the mailbox to save into, INBOX when the save there fails; nil for INBOX.
    public var mailbox: String?
    /// The message's size in bytes, CRLF line ends.
    public var size: Int
    public var overrides: LDAOverrides

    public init(
        user: String, sender: String, originalRecipient: String? = nil, finalRecipient: String? = nil, mailbox: String? = nil,
        size: Int, overrides: LDAOverrides = LDAOverrides()
    ) {
        self.user = user
        self.sender = sender
        self.originalRecipient = originalRecipient
        self.finalRecipient = finalRecipient
        self.mailbox = mailbox
        self.size = size
        self.overrides = overrides
    }

    /// dovecot-lda's address_sanitize in short: `-f ""` and `-f "<>"` are MAILER-DAEMON.
    public static func sender(_ given: String?) -> String {
        var address = (given ?? "").trimmingCharacters(in: .whitespaces)
        if address.hasPrefix("<") && address.hasSuffix(">") { address = String(address.dropFirst().dropLast()) }
        return address.isEmpty ? defaultSender : address
    }

    public static let defaultSender = "MAILER-DAEMON"
}

/// How one delivery ended, with dovecot-lda's exit code (sysexits; dovecot-lda -e behaviour).
public struct LDAResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case delivered
        case unknownUser
        case overQuota
        case tooLarge
        case temporaryFailure
    }

    public var status: Status
    /// The mailbox for a delivery, the reason otherwise (what dovecot-lda -e writes to stderr).
    public var text: String
    /// Over quota with quota_full_tempfail: the MTA should retry rather than bounce.
    public var tempfail: Bool

    public init(_ status: Status, _ text: String, tempfail: Bool = false) {
        self.status = status
        self.text = text
        self.tempfail = tempfail
    }

    public static let tooLargeText = "Mail size is larger than the maximum size allowed by server configuration"

    /// 0; 67 EX_NOUSER; 77 EX_NOPERM over quota (the MTA bounces), 75 EX_TEMPFAIL with quota_full_tempfail; 75 for a
    /// message over quota_max_mail_size and every other failure — the codes dovecot-lda 2.3.19 -e returns (checked
    /// against it on this machine).
    public var exitCode: Int32 {
        switch status {
        case .delivered: LDAExit.ok
        case .unknownUser: LDAExit.noUser
        case .overQuota: tempfail ? LDAExit.temporaryFailure : LDAExit.noPermission
        case .tooLarge, .temporaryFailure: LDAExit.temporaryFailure
        }
    }
}

/// sysexits codes as dovecot-lda uses them.
public enum LDAExit {
    public static let ok: Int32 = 0
    public static let usage: Int32 = 64 // EX_USAGE: bad options
    public static let noUser: Int32 = 67 // EX_NOUSER
    public static let temporaryFailure: Int32 = 75 // EX_TEMPFAIL
    public static let noPermission: Int32 = 77 // EX_NOPERM: rejected (over quota)
}
