import NIOCore
import Primitives

/// Composite arguments: mailbox names, flags, sequence sets, dates.
extension ByteCursor {
    // MARK: Mailboxes

    /// A mailbox name (astring), decoded from modified UTF-7 (or UTF-8 with UTF8=ACCEPT); `inbox` in any case
    /// is `INBOX`.
    mutating func mailbox() throws(IMAPParseError) -> String {
        let name = try decodeMailbox(try astringBytes())
        return name.utf8.count == 5 && name.uppercased() == "INBOX" ? "INBOX" : name
    }

    /// For names that only select what to match (LIST patterns, NOTIFY mailboxes): nil for a name that does not
    /// decode, which then matches nothing and does not make the command fail.
    mutating func matchingName(_ parse: (inout ByteCursor) throws(IMAPParseError) -> String) throws(IMAPParseError) -> String? {
        let earlier = undecodableName
        undecodableName = nil
        let name = try parse(&self)
        defer { undecodableName = earlier }
        return undecodableName == nil ? name : nil
    }

    /// A LIST pattern: like a mailbox, but `%` and `*` may appear in the atom form.
    mutating func listMailbox() throws(IMAPParseError) -> String {
        if atStringStart { return try decodeMailbox(try stringBytes()) }
        let start = index
        while let byte = current,
            ByteCursor.isAtomChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "]")
        {
            index += 1
        }
        guard index > start else { throw fail("Expected a mailbox pattern") }
        return try decodeMailbox(Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index])))
    }

    /// A name that is well-formed IMAP syntax but not valid modified UTF-7 (or UTF-8) is no syntax error: the
    /// command is answered NO like any other unusable name (LIST and NOTIFY just match nothing with it), as Dovecot
    /// does. So the parse goes on with the raw text and `undecodableName` says what was wrong.
    mutating func decodeMailbox(_ raw: [UInt8]) throws(IMAPParseError) -> String {
        if options.utf8Accept {
            if let name = String(validating: raw, as: UTF8.self) { return name }
            undecodableName = undecodableName ?? "Mailbox name is not valid UTF-8."
        } else {
            do {
                return try ModifiedUTF7.decode(raw)
            } catch {
                undecodableName = undecodableName ?? "Mailbox name is not valid mUTF-7."
            }
        }
        return String(decoding: raw, as: UTF8.self)
    }

    // MARK: Flags

    /// A flag: `\Word`, or a keyword atom.
    mutating func flag() throws(IMAPParseError) -> String {
        let start = index
        if take(UInt8(ascii: "\\")) {
            _ = try atomRange("a flag name")
            return string(start..<index)
        }
        return string(try atomRange("a flag"))
    }

    /// The flags of STORE and APPEND. A client may set only the five system flags RFC 3501 §2.3.2 defines (\Recent
    /// is the server's); another `\Word` is refused as Dovecot refuses it, rather than silently dropped.
    mutating func flagList() throws(IMAPParseError) -> [String] {
        var flags: [String] = []
        try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
            let flag = try cursor.flag()
            if flag.hasPrefix("\\"), !Self.settableSystemFlags.contains(flag.lowercased()) {
                throw cursor.fail("Invalid system flag \(flag.uppercased())")
            }
            flags.append(flag)
        }
        return flags
    }

    static let settableSystemFlags: Set<String> = ["\\answered", "\\flagged", "\\deleted", "\\seen", "\\draft"]

    // MARK: Sequence sets

    /// `1:3,5,7:*` or `$`.
    mutating func sequenceSet() throws(IMAPParseError) -> SequenceSet {
        if take(UInt8(ascii: "$")) { return .lastSearchResult }
        var ranges: [SequenceRange] = []
        repeat {
            let first = try sequenceNumber()
            if take(UInt8(ascii: ":")) {
                ranges.append(SequenceRange(first, try sequenceNumber()))
            } else {
                ranges.append(SequenceRange(first))
            }
        } while take(UInt8(ascii: ","))
        if let byte = current, ByteCursor.isAtomChar(byte) { throw fail("Invalid sequence set") }
        return .ranges(ranges)
    }

    private mutating func sequenceNumber() throws(IMAPParseError) -> SequenceBound {
        if take(UInt8(ascii: "*")) { return .last }
        guard let byte = current, byte >= 0x30, byte <= 0x39 else { throw fail("Invalid sequence set") }
        let value = try number()
        guard value > 0 else { throw fail("Invalid sequence set: 0 is not a message number") }
        return .number(value)
    }

    // MARK: Dates

    /// `1-Feb-1994` or the same in quotes (search keys).
    mutating func date() throws(IMAPParseError) -> CivilDate {
        let quoted = take(UInt8(ascii: "\""))
        let result = try dateText(fixedDay: false)
        if quoted { try expect(UInt8(ascii: "\""), "'\"' after date") }
        return result
    }

    private mutating func dateText(fixedDay: Bool) throws(IMAPParseError) -> CivilDate {
        var day = 0
        var digits = 0
        if fixedDay && take(0x20) { digits = 1 }
        while let byte = current, byte >= 0x30, byte <= 0x39, digits < 2 {
            day = day * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        // date-day is 1*2DIGIT: a day the month does not have (31-Feb, 0-Jan) is valid syntax, so no BAD. As in
        // Dovecot, SEARCH compares with it as given (it matches no day) and APPEND takes the arrival time instead.
        guard digits > 0 else { throw fail("Invalid date") }
        try expect(UInt8(ascii: "-"), "'-' in date")
        guard index + 3 <= bytes.count else { throw fail("Invalid date") }
        guard let month = CivilDate.month(abbreviation: upper(index..<index + 3)) else { throw fail("Invalid month in date") }
        index += 3
        try expect(UInt8(ascii: "-"), "'-' in date")
        let year = Int(try digitsExactly(4, "a four-digit year"))
        return CivilDate(year: year, month: month, day: day)
    }

    private mutating func digitsExactly(_ count: Int, _ what: @autoclosure () -> String) throws(IMAPParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let byte = current, byte >= 0x30, byte <= 0x39 else { throw fail("Expected \(what())") }
            value = value * 10 + UInt32(byte - 0x30)
            index += 1
        }
        return value
    }

    /// `"17-Jul-1996 02:44:25 -0700"` (APPEND).
    mutating func dateTime() throws(IMAPParseError) -> IMAPDateTime {
        try expect(UInt8(ascii: "\""), "a quoted date-time")
        let date = try dateText(fixedDay: true)
        try expect(0x20, "a space in date-time")
        let hour = try digitsExactly(2, "hours")
        try expect(UInt8(ascii: ":"), "':' in time")
        let minute = try digitsExactly(2, "minutes")
        try expect(UInt8(ascii: ":"), "':' in time")
        let second = try digitsExactly(2, "seconds")
        // Like an impossible day, 25:61:99 or a zone of +0099 is valid syntax (2DIGIT, 4DIGIT): no BAD. As Dovecot
        // does, APPEND takes the arrival time for an impossible time (see `IMAPDateTime.isValid`), and minutes of the
        // zone beyond 59 simply count as minutes.
        try expect(0x20, "a space before the time zone")
        let sign: Int
        if take(UInt8(ascii: "+")) { sign = 1 } else if take(UInt8(ascii: "-")) { sign = -1 } else { throw fail("Invalid time zone") }
        let zone = try digitsExactly(4, "a four-digit time zone")
        try expect(UInt8(ascii: "\""), "'\"' after date-time")
        return IMAPDateTime(
            date: date, hour: Int(hour), minute: Int(minute), second: Int(second),
            zoneMinutes: sign * Int(zone / 100 * 60 + zone % 100))
    }
}
