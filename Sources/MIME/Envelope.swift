/// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2), as values: IMAPProtocol writes it. Strings
/// are the raw header values unfolded, but for the subject, kept folded for the IMAP writer's cleanup for humans;
/// RFC 2047 encoded-words are kept, as the RFC requires. nil means the header was absent (NIL).
public struct Envelope: Sendable, Hashable {
    public var date: Bytes?
    public var subject: Bytes?
    public var from: [Address]?
    public var sender: [Address]?
    public var replyTo: [Address]?
    public var to: [Address]?
    public var cc: [Address]?
    public var bcc: [Address]?
    public var inReplyTo: Bytes?
    public var messageID: Bytes?

    public init(
        date: Bytes? = nil, subject: Bytes? = nil, from: [Address]? = nil, sender: [Address]? = nil,
        replyTo: [Address]? = nil, to: [Address]? = nil, cc: [Address]? = nil, bcc: [Address]? = nil,
        inReplyTo: Bytes? = nil, messageID: Bytes? = nil
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }

    init(header: HeaderBlock, buffer: UnsafeRawBufferPointer) {
        // Repeated fields: the last one counts (Dovecot's behaviour; RFC 5322 allows only one).
        func value(_ name: String) -> Bytes? { header.last(name).map { $0.unfoldedValue(in: buffer) } }
        func addresses(_ name: String) -> [Address]? {
            guard let v = value(name) else { return nil }
            let list = AddressParser.parse(v)
            return list.isEmpty ? nil : list
        }
        date = value("date")
        subject = header.last("subject").map { $0.foldedValue(in: buffer) }
        from = addresses("from")
        // RFC 3501: absent or empty Sender / Reply-To take the value of From.
        sender = addresses("sender") ?? from
        replyTo = addresses("reply-to") ?? from
        to = addresses("to")
        cc = addresses("cc")
        bcc = addresses("bcc")
        inReplyTo = value("in-reply-to")
        messageID = value("message-id")
    }

    /// Subject with RFC 2047 encoded-words decoded to UTF-8.
    public var decodedSubject: String? { subject.map { EncodedWords.decode($0) } }
}
