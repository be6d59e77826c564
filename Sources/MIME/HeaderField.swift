/// One header field as it sits in the raw message. Offsets are absolute (from the start of the message),
/// so a field can be sliced out again (HEADER.FIELDS) without reparsing anything else.
public struct HeaderField: Sendable, Hashable {
    /// The field name as written (without the colon, trailing blanks trimmed).
    public var name: String
    /// Offset of the first byte of the name.
    public var start: Int
    /// Offset just after the colon.
    public var valueStart: Int
    /// Offset just after the field's last line ending (continuation lines included).
    public var end: Int

    /// The raw field, folding and line endings included.
    public func raw(in message: Bytes) -> ArraySlice<UInt8> { message[start..<end] }

    /// The value unfolded (CR and LF removed, as RFC 5322 §2.2.3 says), leading and trailing blanks trimmed.
    public func unfoldedValue(in message: Bytes) -> Bytes {
        message.withUnsafeBytes { unfoldedValue(in: $0) }
    }

    public func unfoldedValue(in buffer: UnsafeRawBufferPointer) -> Bytes {
        var out = Bytes()
        out.reserveCapacity(end - valueStart)
        for b in buffer[valueStart..<end] where b != ASCII.cr && b != ASCII.lf { out.append(b) }
        return out.trimmingWhitespace()
    }

    /// The value as SEARCH (and SORT, THREAD) read it: unfolded with each line break and the blank after it
    /// turned into one space (Dovecot's "clean one-line" form: `word1\r\n\tword2` is `word1 word2`, so a
    /// subject folded with a tab, as Outlook folds, still matches "word1 word2"), trimmed. ENVELOPE keeps
    /// `unfoldedValue`, which leaves the tab, as Dovecot's ENVELOPE does.
    public func searchValue(in message: Bytes) -> Bytes {
        message.withUnsafeBytes { searchValue(in: $0) }
    }

    public func searchValue(in buffer: UnsafeRawBufferPointer) -> Bytes {
        var out = Bytes()
        out.reserveCapacity(end - valueStart)
        var afterBreak = false
        for b in buffer[valueStart..<end] {
            if b == ASCII.cr { continue }
            if b == ASCII.lf {
                afterBreak = true
                continue
            }
            out.append(afterBreak && ASCII.isWSP(b) ? ASCII.space : b)
            afterBreak = false
        }
        return out.trimmingWhitespace()
    }

    /// The value as written: blanks after the colon skipped, the final line break dropped, folding and
    /// trailing blanks kept (Dovecot's ENVELOPE subject: text that needs cleaning goes as a literal).
    public func foldedValue(in buffer: UnsafeRawBufferPointer) -> Bytes {
        var from = valueStart
        var to = end
        while from < to && ASCII.isWSP(buffer[from]) { from += 1 }
        if to > from && buffer[to - 1] == ASCII.lf { to -= 1 }
        if to > from && buffer[to - 1] == ASCII.cr { to -= 1 }
        return Bytes(buffer[from..<to])
    }

    func hasName(_ lowercasedName: String) -> Bool {
        name.count == lowercasedName.count && name.lowercased() == lowercasedName
    }
}

/// The header fields of one header block (a message's or a MIME part's).
public struct HeaderBlock: Sendable, Hashable {
    public var fields: [HeaderField]
    /// Offset of the first header byte.
    public var start: Int
    /// Offset of the body: just after the empty line ending the header, or the end of the part if none.
    public var bodyStart: Int

    /// The first field with this name (case-insensitive).
    public func first(_ name: String) -> HeaderField? {
        let lower = name.lowercased()
        return fields.first { $0.hasName(lower) }
    }

    /// The last field with this name: ENVELOPE takes the last of repeated fields, as Dovecot does.
    public func last(_ name: String) -> HeaderField? {
        let lower = name.lowercased()
        return fields.last { $0.hasName(lower) }
    }

    public func all(_ name: String) -> [HeaderField] {
        let lower = name.lowercased()
        return fields.filter { $0.hasName(lower) }
    }

    /// Parses the header block at `start`, stopping at the first empty line or at `end`.
    /// Lines without a colon that are not continuations are skipped (kept in the raw bytes, not as fields).
    public static func parse(_ buffer: UnsafeRawBufferPointer, start: Int, end: Int) -> HeaderBlock {
        var fields: [HeaderField] = []
        var pos = start
        var bodyStart = end
        var current: HeaderField? = nil
        while pos < end {
            let lf = buffer.firstIndex(of: ASCII.lf, from: pos, to: end)
            let next = lf.map { $0 + 1 } ?? end
            var contentEnd = lf ?? end
            if contentEnd > pos && buffer[contentEnd - 1] == ASCII.cr && lf != nil { contentEnd -= 1 }
            if contentEnd == pos && lf != nil {
                bodyStart = next
                break
            }
            if ASCII.isWSP(buffer[pos]) {
                if current != nil { current!.end = next }
            } else {
                if let field = current { fields.append(field) }
                current = nil
                if let colon = buffer.firstIndex(of: ASCII.colon, from: pos, to: contentEnd) {
                    var nameEnd = colon
                    while nameEnd > pos && ASCII.isWSP(buffer[nameEnd - 1]) { nameEnd -= 1 }
                    if nameEnd > pos {
                        let name = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[pos..<nameEnd]), as: UTF8.self)
                        current = HeaderField(name: name, start: pos, valueStart: colon + 1, end: next)
                    }
                }
            }
            pos = next
        }
        if let field = current { fields.append(field) }
        return HeaderBlock(fields: fields, start: start, bodyStart: pos >= end && bodyStart == end ? end : bodyStart)
    }

    public static func parse(_ bytes: Bytes, start: Int = 0, end: Int? = nil) -> HeaderBlock {
        bytes.withUnsafeBytes { parse($0, start: start, end: end ?? bytes.count) }
    }
}
