import NIOCore

/// Reads IMAP lexical items straight from the bytes of one framed command (its line(s) and literals).
/// Works on an unsafe pointer for speed; it lives only inside `ByteBuffer.withUnsafeReadableBytes`.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    /// The buffer the pointer belongs to, so literals can become zero-copy slices.
    let buffer: ByteBuffer
    var index = 0
    let options: IMAPParserOptions
    var depth = 0
    /// Why a mailbox name of this command could not be decoded (the first such name); the command is still parsed.
    var undecodableName: String?
    /// Search strings are UTF-8 unless the command named another charset (answered NO [BADCHARSET] by the session).
    var searchStringsAreUTF8 = true

    init(bytes: UnsafeRawBufferPointer, buffer: ByteBuffer, options: IMAPParserOptions) {
        self.bytes = bytes
        self.buffer = buffer
        self.options = options
    }

    // MARK: Single bytes

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(IMAPParseError) {
        guard take(byte) else { throw fail("Expected \(what())") }
    }

    mutating func space() throws(IMAPParseError) {
        guard take(0x20) else { throw fail(current == nil || isLineEnd ? "Missing arguments" : "Expected a space") }
    }

    /// True when only CRLF (or a bare LF, which Dovecot also accepts) is left.
    var isLineEnd: Bool {
        guard let byte = current else { return true }
        if byte == 0x0A { return index + 1 == bytes.count }
        return byte == 0x0D && index + 2 == bytes.count && bytes[index + 1] == 0x0A
    }

    func end() throws(IMAPParseError) {
        guard isLineEnd else { throw fail(current == 0x20 ? "Unexpected extra arguments" : "Unexpected characters at end of command") }
    }

    func fail(_ message: String) -> IMAPParseError { IMAPParseError(message: message) }

    // MARK: Parentheses with a nesting limit

    mutating func open() throws(IMAPParseError) {
        try expect(UInt8(ascii: "("), "'('")
        depth += 1
        guard depth <= options.maxNestingDepth else { throw fail("Too deeply nested parentheses") }
    }

    mutating func close() throws(IMAPParseError) {
        try expect(UInt8(ascii: ")"), "')'")
        depth -= 1
    }

    /// Reads `(item SP item …)` — possibly empty when `allowEmpty`.
    mutating func list(allowEmpty: Bool = true, _ item: (inout ByteCursor) throws(IMAPParseError) -> Void) throws(IMAPParseError) {
        try open()
        if take(UInt8(ascii: ")")) {
            depth -= 1
            guard allowEmpty else { throw fail("Empty list") }
            return
        }
        repeat { try item(&self) } while take(0x20)
        try close()
    }

    // MARK: Atoms

    static let atomSpecials: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in 0..<0x20 { table[byte] = true }
        for byte in 0x7F...0xFF { table[byte] = true }
        for char in "(){ %*\"\\]" { table[Int(char.asciiValue!)] = true }
        return table
    }()

    @inline(__always) static func isAtomChar(_ byte: UInt8) -> Bool { !atomSpecials[Int(byte)] }

    /// The end of the atom starting here; `extra` bytes are allowed as well (e.g. `]` for astrings).
    mutating func atomRange(allowing extra: UInt8 = 0, _ what: @autoclosure () -> String = "an atom") throws(IMAPParseError) -> Range<Int> {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard ByteCursor.isAtomChar(byte) || (extra != 0 && byte == extra) else { break }
            index += 1
        }
        guard index > start else { throw fail("Expected \(what())") }
        return start..<index
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// An atom upper-cased. Keywords are short, so the result is a small string without heap allocation.
    mutating func keyword(_ what: @autoclosure () -> String = "a keyword") throws(IMAPParseError) -> String {
        let range = try atomRange(allowing: 0, what())
        return upper(range)
    }

    /// Like `keyword()` but also stops at `[`, `.` and `<` (FETCH attributes like `BODY.PEEK[`).
    mutating func fetchKeyword() throws(IMAPParseError) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard ByteCursor.isAtomChar(byte), byte != UInt8(ascii: "["), byte != UInt8(ascii: "<") else { break }
            index += 1
        }
        guard index > start else { throw fail("Expected a fetch attribute") }
        return upper(start..<index)
    }

    func upper(_ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { target in
            for (offset, position) in range.enumerated() {
                let byte = bytes[position]
                target[offset] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
            }
            return range.count
        }
    }

    /// True (and consumed) when the next atom is `word` (upper-case ASCII), followed by a non-atom byte.
    mutating func takeWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let pointer = word.utf8Start
        for offset in 0..<count {
            var byte = bytes[index + offset]
            if byte >= 0x61 && byte <= 0x7A { byte -= 0x20 }
            guard byte == pointer[offset] else { return false }
        }
        if index + count < bytes.count && ByteCursor.isAtomChar(bytes[index + count]) { return false }
        index += count
        return true
    }

    // MARK: Numbers

    mutating func number64(_ what: @autoclosure () -> String = "a number") throws(IMAPParseError) -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while let byte = current, byte >= 0x30, byte <= 0x39 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2 else { throw fail("Number too large") }
            value = sum
            index += 1
        }
        guard index > start else { throw fail("Expected \(what())") }
        // number64 is limited to 2^63-1 (RFC 9051).
        guard value <= UInt64(Int64.max) else { throw fail("Number too large") }
        return value
    }

    mutating func number(_ what: @autoclosure () -> String = "a number") throws(IMAPParseError) -> UInt32 {
        let value = try number64(what())
        guard value <= UInt64(UInt32.max) else { throw fail("Number too large") }
        return UInt32(value)
    }

    mutating func nzNumber(_ what: @autoclosure () -> String = "a non-zero number") throws(IMAPParseError) -> UInt32 {
        let value = try number(what())
        guard value > 0 else { throw fail("Expected \(what())") }
        return value
    }

    // MARK: Strings

    /// A quoted string's content, unescaped. CR and LF are not allowed; 8-bit bytes are (RFC 9051 UTF-8).
    mutating func quotedBytes() throws(IMAPParseError) -> [UInt8] {
        try expect(UInt8(ascii: "\""), "'\"'")
        var result: [UInt8] = []
        while true {
            guard let byte = current else { throw fail("Unterminated quoted string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return result
            case UInt8(ascii: "\\"):
                guard let escaped = current, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw fail("Invalid escape in quoted string")
                }
                result.append(escaped)
                index += 1
            case 0x0D, 0x0A, 0x00:
                throw fail("Invalid character in quoted string")
            default:
                result.append(byte)
            }
        }
    }

    /// A literal `{n}`, `{n+}` (or `~{n}` when `allowBinary`): returns the data as a slice of the buffer.
    mutating func literal(allowBinary: Bool = false) throws(IMAPParseError) -> (data: ByteBuffer, binary: Bool) {
        let binary = take(UInt8(ascii: "~"))
        if binary && !allowBinary { throw fail("Binary literal not allowed here") }
        try expect(UInt8(ascii: "{"), "'{'")
        let length = try number("a literal length")
        _ = take(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "'}'")
        _ = take(0x0D)
        try expect(0x0A, "end of line after literal length")
        guard index + Int(length) <= bytes.count else { throw fail("Literal shorter than announced") }
        let data = buffer.getSlice(at: buffer.readerIndex + index, length: Int(length))!
        index += Int(length)
        return (data, binary)
    }

    var atStringStart: Bool {
        current == UInt8(ascii: "\"") || current == UInt8(ascii: "{")
    }

    /// `string` as bytes: quoted or literal.
    mutating func stringBytes() throws(IMAPParseError) -> [UInt8] {
        if current == UInt8(ascii: "\"") { return try quotedBytes() }
        if current == UInt8(ascii: "{") { return Array(try literal().data.readableBytesView) }
        throw fail("Expected a string")
    }

    mutating func string() throws(IMAPParseError) -> String {
        String(decoding: try stringBytes(), as: UTF8.self)
    }

    /// An astring as raw bytes (atom with `]` allowed, quoted, or literal).
    mutating func astringBytes() throws(IMAPParseError) -> [UInt8] {
        if atStringStart { return try stringBytes() }
        let range = try atomRange(allowing: UInt8(ascii: "]"), "a string")
        return Array(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    mutating func astring() throws(IMAPParseError) -> String {
        if atStringStart { return try string() }
        return string(try atomRange(allowing: UInt8(ascii: "]"), "a string"))
    }

    /// NIL or a string.
    mutating func nstring() throws(IMAPParseError) -> String? {
        if takeWord("NIL") { return nil }
        return try string()
    }

    /// NIL or a string, kept as bytes (metadata values may be binary).
    mutating func nstringBuffer(allowBinary: Bool) throws(IMAPParseError) -> ByteBuffer? {
        if takeWord("NIL") { return nil }
        if current == UInt8(ascii: "\"") { return ByteBuffer(bytes: try quotedBytes()) }
        return try literal(allowBinary: allowBinary).data
    }
}
