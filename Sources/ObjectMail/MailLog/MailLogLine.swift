import MIME
import MailModel
import MetaCache

/// The text of one mail_log line, byte for byte as Dovecot 2.3's mail_log plugin writes it:
/// `expunge: box=INBOX, uid=3, msgid=<a@b>, size=812, from=Jane <jane@example.com>, subject=Hello`.
enum MailLogLine {
    /// Dovecot's MAILBOX_NAME_LOG_LEN and HEADER_LOG_LEN.
    static let mailboxNameLength = 64
    static let headerLength = 80

    /// One message's line. `uid` is the UID the line names (a copy's or save's new UID); `keywordNames` maps the
    /// record's keyword bits to names (needed only for the flags field).
    static func message(
        _ description: String, record: MessageRecord, uid: UInt32, box: String,
        fields: Set<MailLogConfiguration.Field>, keywordNames: [Int: String]
    ) -> String {
        var parts: [String] = []
        // Dovecot's fixed order, whatever the order of mail_log_fields.
        if fields.contains(.box) { parts.append("box=" + sanitized(box, maxBytes: mailboxNameLength)) }
        if fields.contains(.uid) { parts.append("uid=\(uid)") }
        let headers =
            fields.isDisjoint(with: [.msgid, .from, .subject])
            ? [] : (try? CachedMessageFields.headers(serialized: Array(record.cachedFields))) ?? []
        // mail_get_first_header_utf8: the first such header, encoded-words decoded; empty when there is none.
        func header(_ name: String) -> String {
            guard let raw = headers.first(where: { $0.name == name })?.value else { return "" }
            return sanitized(EncodedWords.decode(raw), maxBytes: headerLength)
        }
        if fields.contains(.msgid) { parts.append("msgid=" + header("message-id")) }
        if fields.contains(.size) { parts.append("size=\(record.size)") }
        if fields.contains(.vsize) { parts.append("vsize=\(record.virtualSize)") }
        if fields.contains(.from) { parts.append("from=" + header("from")) }
        if fields.contains(.subject) { parts.append("subject=" + header("subject")) }
        if fields.contains(.flags) { parts.append("flags=(" + flagWords(record, keywordNames: keywordNames).joined(separator: " ") + ")") }
        return parts.isEmpty ? description : description + ": " + parts.joined(separator: ", ")
    }

    /// System flags in imap_write_flags' order, then keywords.
    static func flagWords(_ record: MessageRecord, keywordNames: [Int: String]) -> [String] {
        let system = MessageFlags.names.filter { record.systemFlags.contains($0.0) }.map(\.1)
        let keywords = keywordNames.keys.sorted().filter { record.keywords & (1 << Int64($0)) != 0 }.compactMap { keywordNames[$0] }
        return system + keywords
    }

    /// Dovecot's str_sanitize: control characters become `?`; text longer than `maxBytes` is cut on a character
    /// boundary to at most `maxBytes - 3` bytes and ends in `...`.
    static func sanitized(_ text: String, maxBytes: Int) -> String {
        var out = ""
        var used = 0
        var complete = true
        for scalar in text.unicodeScalars {
            let length = String(scalar).utf8.count
            if used + length > maxBytes {
                complete = false
                break
            }
            out.unicodeScalars.append(scalar.value < 32 ? "?" : scalar)
            used += length
        }
        if complete { return out }
        while out.utf8.count > maxBytes - 3, !out.isEmpty { out.unicodeScalars.removeLast() }
        return out + "..."
    }
}
