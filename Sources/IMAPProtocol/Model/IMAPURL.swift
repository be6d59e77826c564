/// An IMAP URL naming a message or a part of one (RFC 5092 `imessagepart`, with RFC 5550's `;PARTIAL=`), as
/// CATENATE (RFC 4469) takes it: absolute (`imap://user@host/INBOX;UIDVALIDITY=7/;UID=5`), relative to the
/// server (`/INBOX;UIDVALIDITY=7/;UID=5/;SECTION=1.2`) or relative to the selected mailbox (`;UID=5`).
/// Only the syntax is checked here; whether it names something this session may read is the session's call.
public struct IMAPURL: Sendable, Equatable {
    /// `user` and `host` of an absolute URL; nil for relative ones, which mean "this server, this user".
    public var authority: Authority?
    /// The mailbox name, %-decoded (UTF-8, RFC 5092 §3.4); nil when relative to the selected mailbox.
    public var mailbox: String?
    public var uidValidity: UInt32?
    public var uid: UInt32
    /// The section text as FETCH BODY[…] takes it (`1.2`, `HEADER`, `1.MIME`, `HEADER.FIELDS (From)`), %-decoded;
    /// nil for the whole message.
    public var section: String?
    public var partial: Partial?

    public struct Authority: Sendable, Equatable {
        /// nil for an anonymous URL (`imap://host/…`).
        public var user: String?
        public var host: String
        public var port: UInt16?

        public init(user: String?, host: String, port: UInt16? = nil) {
            self.user = user
            self.host = host
            self.port = port
        }
    }

    /// RFC 5550 `;PARTIAL=offset[.length]`: `length` octets from `offset`, or to the end without one.
    public struct Partial: Sendable, Equatable {
        public var offset: UInt32
        public var length: UInt32?

        public init(offset: UInt32, length: UInt32? = nil) {
            self.offset = offset
            self.length = length
        }
    }

    public init(
        authority: Authority? = nil, mailbox: String?, uidValidity: UInt32? = nil, uid: UInt32, section: String? = nil,
        partial: Partial? = nil
    ) {
        self.authority = authority
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.uid = uid
        self.section = section
        self.partial = partial
    }
}

/// Why a string is not an IMAP message URL this server takes; the text goes after `NO [BADURL url]`.
public struct IMAPURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
