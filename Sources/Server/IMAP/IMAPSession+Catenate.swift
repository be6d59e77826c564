import IMAPProtocol
import MIME
import MailModel
import NIOCore
import ObjectMail

/// Why an APPEND message could not be put together; nothing of the APPEND is stored then.
enum AppendContentError: Error {
    /// A CATENATE URL (RFC 4469) that names nothing this session may read: `NO [BADURL url] reason`.
    case badURL(String, reason: String)
    /// The joined message is larger than the APPEND limit: `NO [TOOBIG]`.
    case tooBig(limit: UInt64)
    /// Dovecot refuses empty messages the same way.
    case empty
}

extension IMAPSession {
    /// The bytes of one APPEND message: the literal as sent, or CATENATE's TEXT parts and the parts its URLs
    /// name, joined in order. The framer has already read the whole command (every literal), so failing here
    /// leaves the connection in step whatever literal forms the client used.
    func appendBytes(_ content: AppendContent, user: MailUser) async throws -> [UInt8] {
        let parts: [CatenatePart]
        switch content {
        case .literal(let buffer, let binary, _):
            // Zero bytes are no message (RFC 5322 §3.5); Dovecot refuses them too.
            guard buffer.readableBytes > 0 else { throw AppendContentError.empty }
            // A spooled BINARY literal: its conversion needs the bytes in memory (`append` takes plain ones from the file).
            let bytes = try await spooledBytes(buffer) ?? Array(buffer.readableBytesView)
            return binary ? BinaryAppendConversion.encodingBinaryParts(bytes) : bytes
        case .catenate(let catenated):
            parts = catenated
        }
        let limit = configuration.maxMessageSize
        var bytes: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let buffer, _):
                // A `~{n}` TEXT (RFC 3516 §4.4) may carry NULs or bare CRs: stored as sent, like a binary APPEND.
                // A large TEXT was spooled: CATENATE joins in memory, so it is read back here.
                let text = try await spooledBytes(buffer) ?? Array(buffer.readableBytesView)
                guard UInt64(bytes.count) + UInt64(text.count) <= limit else { throw AppendContentError.tooBig(limit: limit) }
                bytes.append(contentsOf: text)
            case .url(let text):
                let referenced = try await catenateURLBytes(text, user: user)
                guard UInt64(bytes.count) + UInt64(referenced.count) <= limit else { throw AppendContentError.tooBig(limit: limit) }
                bytes.append(contentsOf: referenced)
            }
        }
        guard !bytes.isEmpty else { throw AppendContentError.empty }
        let binary = parts.contains { if case .text(_, true) = $0 { true } else { false } }
        return binary ? BinaryAppendConversion.encodingBinaryParts(bytes) : bytes
    }

    /// The bytes of a literal received into a spool file (nil for an ordinary literal), read on the I/O pool.
    private func spooledBytes(_ literal: ByteBuffer) async throws -> [UInt8]? {
        guard let spool = spooledAppend?.spool(for: literal) else { return nil }
        do {
            return try await spool.readAllAsync()
        } catch {
            throw StorageError.fromStore(error, user: userName ?? "")
        }
    }

    /// What a CATENATE URL names: the bytes FETCH `BODY.PEEK[section]<partial>` would return (so \Seen is not set).
    /// Only this user's own mailboxes are reachable: there is no URLAUTH, which other users' data would need.
    private func catenateURLBytes(_ text: String, user: MailUser) async throws -> [UInt8] {
        func bad(_ reason: String) -> AppendContentError { .badURL(text, reason: reason) }
        let url: IMAPURL
        do {
            url = try IMAPURL(parsing: text)
        } catch {
            throw bad("Invalid IMAP URL: \(error.message)")
        }
        if let authority = url.authority, authority.user != userName {
            throw bad("IMAP URL does not name the logged-in user (URLAUTH is not supported)")
        }
        let mailbox: Mailbox
        if let name = url.mailbox {
            do {
                mailbox = try await user.mailbox(name)
            } catch StorageError.mailboxNotFound, StorageError.invalidName {
                throw bad("Mailbox doesn't exist: \(name)")
            }
        } else {
            guard let selected else { throw bad("Mailbox-relative IMAP URL, but no mailbox selected") }
            mailbox = selected.mailbox
        }
        if let uidValidity = url.uidValidity, uidValidity != mailbox.uidValidity {
            throw bad("Invalid UIDVALIDITY")
        }
        guard let record = try await user.messages(UIDSet([url.uid]), in: mailbox).first else {
            throw bad("Message not found")
        }
        guard let section = BodySection(url.section ?? "") else { throw bad("Invalid section") }
        let body = try await user.body(of: record)
        // The body is here anyway, so its own structure is the one to cut from (a cached one could differ from
        // what is stored and would need checking).
        let structure = MessageStructure.parse(body)
        // No length: to the end of the section (RFC 5550); Partial clamps the count to what is there.
        let partial = url.partial.map { Partial(origin: Int($0.offset), count: $0.length.map(Int.init) ?? Int.max) }
        do {
            return try structure.section(section, partial: partial, in: body)
        } catch {
            throw bad("Invalid section: \(error)")
        }
    }

    /// The tagged answer for a message that could not be put together.
    func refuseAppend(_ tag: String, _ error: AppendContentError) {
        switch error {
        case .badURL(let url, let reason):
            tagged(tag, .no, code: .other("BADURL", url), "\(reason).")
        case .tooBig(let limit):
            tagged(tag, .no, code: .tooBig, "Message larger than \(limit) bytes")
        case .empty:
            tagged(tag, .no, "Can't save a zero byte message.")
        }
    }
}
