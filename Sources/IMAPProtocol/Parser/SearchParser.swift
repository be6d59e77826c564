import Primitives

/// SEARCH, SORT and THREAD arguments (RFC 3501/9051 §6.4.4, 4731, 5032, 5182, 5256, 5267, 7162, 8514).
extension ByteCursor {
    mutating func searchCommand() throws(IMAPParseError) -> SearchCommand {
        var command = SearchCommand(key: .all)
        if takeWord("RETURN") {
            try space()
            (command.returnOptions, command.partial, command.updateFetch) = try searchReturnOptions()
            try space()
        }
        if takeWord("CHARSET") {
            try space()
            command.charset = try astring()
            try space()
            searchStringsAreUTF8 = SearchCharsets.isSupported(command.charset)
        }
        command.key = try searchKeys()
        return command
    }

    mutating func sortCommand() throws(IMAPParseError) -> SortCommand {
        var returnOptions: [SearchReturnOption]?
        var partial: ClosedRange<UInt32>?
        var updateFetch: [FetchAttribute] = []
        if takeWord("RETURN") {
            try space()
            (returnOptions, partial, updateFetch) = try searchReturnOptions()
            try space()
        }
        var criteria: [SortCriterion] = []
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            let reverse = cursor.takeWord("REVERSE")
            if reverse { try cursor.space() }
            guard let key = SortCriterion.Key(rawValue: try cursor.keyword("a sort criterion")) else {
                throw cursor.fail("Unknown sort criterion")
            }
            criteria.append(SortCriterion(key, reverse: reverse))
        }
        try space()
        let charset = try astring()
        try space()
        searchStringsAreUTF8 = SearchCharsets.isSupported(charset)
        var command = SortCommand(
            returnOptions: returnOptions, criteria: criteria, charset: charset, key: try searchKeys(),
            partial: partial)
        command.updateFetch = updateFetch
        return command
    }

    mutating func threadCommand() throws(IMAPParseError) -> ThreadCommand {
        guard let algorithm = ThreadAlgorithm(rawValue: try keyword("a thread algorithm")) else {
            throw fail("Unknown thread algorithm")
        }
        try space()
        let charset = try astring()
        try space()
        searchStringsAreUTF8 = SearchCharsets.isSupported(charset)
        return ThreadCommand(algorithm: algorithm, charset: charset, key: try searchKeys())
    }

    private mutating func searchReturnOptions() throws(IMAPParseError)
        -> ([SearchReturnOption], ClosedRange<UInt32>?, [FetchAttribute])
    {
        var options: [SearchReturnOption] = []
        var partial: ClosedRange<UInt32>?
        var updateFetch: [FetchAttribute] = []
        try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
            guard let option = SearchReturnOption(rawValue: try cursor.keyword("a RETURN option")) else {
                throw cursor.fail("Unknown RETURN option")
            }
            if option == .partial {
                // RFC 5267 §4.4: one PARTIAL, nz-number ":" nz-number, either order, no "*".
                guard partial == nil else { throw cursor.fail("Only one PARTIAL is allowed") }
                try cursor.space()
                let first = try cursor.nzNumber("a PARTIAL range")
                try cursor.expect(UInt8(ascii: ":"), "':' in a PARTIAL range")
                let second = try cursor.nzNumber("a PARTIAL range")
                partial = min(first, second)...max(first, second)
            }
            // RFC 5465 §7: UPDATE may carry FETCH attributes for the messages it adds.
            if option == .update, cursor.current == 0x20, cursor.index + 1 < cursor.bytes.count,
                cursor.bytes[cursor.index + 1] == UInt8(ascii: "(")
            {
                cursor.index += 1
                updateFetch = try cursor.fetchAttributeList()
            }
            options.append(option)
        }
        return (options, partial, updateFetch)
    }

    /// One or more keys separated by spaces, up to the end of the line.
    private mutating func searchKeys() throws(IMAPParseError) -> SearchKey {
        var keys = [try searchKey()]
        while take(0x20) { keys.append(try searchKey()) }
        return keys.count == 1 ? keys[0] : .and(keys)
    }

    mutating func searchKey() throws(IMAPParseError) -> SearchKey {
        guard let byte = current else { throw fail("Missing search key") }
        if byte == UInt8(ascii: "(") {
            var keys: [SearchKey] = []
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in keys.append(try cursor.searchKey()) }
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$") {
            return .sequence(try sequenceSet())
        }
        let name = try keyword("a search key")
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "SAVEDATESUPPORTED": return .saveDateSupported
        case "KEYWORD": return .keyword(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.flag() })
        case "UNKEYWORD": return .unkeyword(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.flag() })
        case "BCC": return .bcc(try spaceThenAString())
        case "CC": return .cc(try spaceThenAString())
        case "FROM": return .from(try spaceThenAString())
        case "TO": return .to(try spaceThenAString())
        case "SUBJECT": return .subject(try spaceThenAString())
        case "BODY": return .body(try spaceThenAString())
        case "TEXT": return .text(try spaceThenAString())
        case "HEADER":
            let field = try spaceThenAString()
            return .header(name: field, value: try spaceThenAString())
        case "BEFORE": return .before(try spaceThenDate())
        case "ON": return .on(try spaceThenDate())
        case "SINCE": return .since(try spaceThenDate())
        case "SENTBEFORE": return .sentBefore(try spaceThenDate())
        case "SENTON": return .sentOn(try spaceThenDate())
        case "SENTSINCE": return .sentSince(try spaceThenDate())
        case "SAVEDBEFORE": return .savedBefore(try spaceThenDate())
        case "SAVEDON": return .savedOn(try spaceThenDate())
        case "SAVEDSINCE": return .savedSince(try spaceThenDate())
        case "LARGER": return .larger(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.number64() })
        case "SMALLER": return .smaller(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.number64() })
        case "OLDER": return .older(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.nzNumber() })
        case "YOUNGER": return .younger(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.nzNumber() })
        case "UID": return .uid(try spaceThen { (c: inout ByteCursor) throws(IMAPParseError) in try c.sequenceSet() })
        case "EMAILID": return .emailID(try spaceThenAString())
        case "THREADID": return .threadID(try spaceThenAString())
        case "MODSEQ": return try modSeqKey()
        case "NOT": return .not(try spaceThenNestedKey())
        case "OR":
            let first = try spaceThenNestedKey()
            return .or(first, try spaceThenNestedKey())
        default: throw fail("Unknown search key")
        }
    }

    private mutating func spaceThen<T>(_ body: (inout ByteCursor) throws(IMAPParseError) -> T) throws(IMAPParseError) -> T {
        try space()
        return try body(&self)
    }

    /// A search string. Text is compared as UTF-8 (the charsets offered are UTF-8 and its subset US-ASCII), so bytes
    /// that are not UTF-8 are a BAD search key, as Dovecot answers them, rather than a search that can match nothing.
    private mutating func spaceThenAString() throws(IMAPParseError) -> String {
        try space()
        let bytes = try astringBytes()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            if !searchStringsAreUTF8 { return String(decoding: bytes, as: UTF8.self) }
            throw fail("Invalid search key: the string is not UTF-8")
        }
        return text
    }

    private mutating func spaceThenDate() throws(IMAPParseError) -> CivilDate {
        try space()
        return try date()
    }

    /// NOT and OR nest without parentheses, so they count toward the nesting limit too.
    private mutating func spaceThenNestedKey() throws(IMAPParseError) -> SearchKey {
        try space()
        depth += 1
        guard depth <= options.maxNestingDepth else { throw fail("Too deeply nested search keys") }
        defer { depth -= 1 }
        return try searchKey()
    }

    private mutating func modSeqKey() throws(IMAPParseError) -> SearchKey {
        try space()
        var entry: ModSeqEntry?
        if current == UInt8(ascii: "\"") {
            let name = try string()
            try space()
            let type = try keyword("priv, shared or all").lowercased()
            guard ["priv", "shared", "all"].contains(type) else { throw fail("Invalid MODSEQ entry type") }
            entry = ModSeqEntry(name: name, type: type)
            try space()
        }
        return .modSeq(try number64("a mod-sequence"), entry: entry)
    }
}
