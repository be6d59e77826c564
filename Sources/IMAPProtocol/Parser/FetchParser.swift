/// FETCH attributes, sections, partials and modifiers.
extension ByteCursor {
    /// A macro, one attribute, or a parenthesised list.
    mutating func fetchAttributes() throws(IMAPParseError) -> [FetchAttribute] {
        if current == UInt8(ascii: "(") { return try fetchAttributeList() }
        if takeWord("ALL") { return FetchAttribute.all }
        if takeWord("FAST") { return FetchAttribute.fast }
        if takeWord("FULL") { return FetchAttribute.full }
        return [try fetchAttribute()]
    }

    mutating func fetchAttributeList() throws(IMAPParseError) -> [FetchAttribute] {
        var attributes: [FetchAttribute] = []
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            attributes.append(try cursor.fetchAttribute())
        }
        return attributes
    }

    mutating func fetchAttribute() throws(IMAPParseError) -> FetchAttribute {
        let name = try fetchKeyword()
        switch name {
        case "UID": return .uid
        case "FLAGS": return .flags
        case "ENVELOPE": return .envelope
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure(extensible: true)
        case "MODSEQ": return .modSeq
        case "SAVEDATE": return .saveDate
        case "EMAILID": return .emailID
        case "THREADID": return .threadID
        case "PREVIEW":
            let (lazy, fuzzy) = try previewModifiers()
            return fuzzy ? .fuzzyPreview(.preview, lazy: lazy) : .preview(lazy: lazy)
        case "SNIPPET":
            // SNIPPET only ever had the FUZZY algorithm, so a bare SNIPPET means it too (as in Dovecot).
            return .fuzzyPreview(.snippet, lazy: try previewModifiers().lazy)
        case "BODY", "BODY.PEEK":
            guard current == UInt8(ascii: "[") else {
                guard name == "BODY" else { throw fail("BODY.PEEK needs a section") }
                return .bodyStructure(extensible: false)
            }
            let section = try section()
            return .bodySection(section, partial: try partial(), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
            try expect(UInt8(ascii: "["), "'[' after \(name)")
            var part: [UInt32] = []
            if current != UInt8(ascii: "]") { part = try sectionPart() }
            try expect(UInt8(ascii: "]"), "']' after the section")
            if name == "BINARY.SIZE" { return .binarySize(part: part) }
            return .binary(part: part, partial: try partial(), peek: name == "BINARY.PEEK")
        default: throw fail("Unknown fetch attribute")
        }
    }

    /// `PREVIEW (LAZY)` (RFC 8970); a plain `PREVIEW` is eager. The draft's `FUZZY` algorithm and its
    /// `LAZY=FUZZY` modifier (Dovecot 2.3's PREVIEW=FUZZY and SNIPPET=FUZZY) ask for the draft's answer form.
    private mutating func previewModifiers() throws(IMAPParseError) -> (lazy: Bool, fuzzy: Bool) {
        guard current == 0x20, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "(") else { return (false, false) }
        index += 1
        var lazy = false
        var fuzzy = false
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            switch try cursor.keyword("a PREVIEW modifier") {
            case "LAZY": lazy = true
            case "FUZZY": fuzzy = true
            case "LAZY=FUZZY": (lazy, fuzzy) = (true, true)
            default: throw cursor.fail("Unknown PREVIEW modifier")
            }
        }
        return (lazy, fuzzy)
    }

    mutating func section() throws(IMAPParseError) -> SectionSpec {
        try expect(UInt8(ascii: "["), "'['")
        var spec = SectionSpec()
        if take(UInt8(ascii: "]")) { return spec }
        if let byte = current, byte >= 0x31, byte <= 0x39 {
            spec.part = try sectionPart()
            if take(UInt8(ascii: "]")) { return spec }
            try expect(UInt8(ascii: "."), "'.' after the part number")
        }
        let start = index
        while let byte = current, ByteCursor.isAtomChar(byte) { index += 1 }
        switch upper(start..<index) {
        case "HEADER": spec.kind = .header
        case "TEXT": spec.kind = .text
        case "MIME":
            guard !spec.part.isEmpty else { throw fail("MIME needs a part number") }
            spec.kind = .mime
        case "HEADER.FIELDS": spec.kind = .headerFields(try headerList())
        case "HEADER.FIELDS.NOT": spec.kind = .headerFieldsNot(try headerList())
        default: throw fail("Invalid section")
        }
        try expect(UInt8(ascii: "]"), "']' after the section")
        return spec
    }

    mutating func sectionPart() throws(IMAPParseError) -> [UInt32] {
        var part = [try nzNumber("a part number")]
        while current == UInt8(ascii: "."), index + 1 < bytes.count, bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x39 {
            index += 1
            part.append(try nzNumber("a part number"))
        }
        return part
    }

    private mutating func headerList() throws(IMAPParseError) -> [String] {
        try space()
        var names: [String] = []
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in names.append(try cursor.astring()) }
        return names
    }

    /// `<offset.count>`; count must not be 0.
    private mutating func partial() throws(IMAPParseError) -> PartialRange? {
        guard take(UInt8(ascii: "<")) else { return nil }
        let offset = try number("a partial offset")
        try expect(UInt8(ascii: "."), "'.' in partial")
        let count = try nzNumber("a non-zero partial length")
        try expect(UInt8(ascii: ">"), "'>' after partial")
        return PartialRange(offset: offset, count: count)
    }

    /// `(CHANGEDSINCE n [VANISHED])` after the attributes.
    mutating func fetchModifiers() throws(IMAPParseError) -> FetchModifiers {
        var modifiers = FetchModifiers()
        guard take(0x20) else { return modifiers }
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            switch try cursor.keyword("a FETCH modifier") {
            case "CHANGEDSINCE":
                try cursor.space()
                modifiers.changedSince = try cursor.number64("a mod-sequence")
            case "VANISHED": modifiers.vanished = true
            default: throw cursor.fail("Unknown FETCH modifier")
            }
        }
        if modifiers.vanished && modifiers.changedSince == nil { throw fail("VANISHED needs CHANGEDSINCE") }
        return modifiers
    }
}
