/// RFC 2047 encoded-words (`=?charset?B?…?=`, `=?charset*lang?Q?…?=`) decoded to UTF-8.
/// Whitespace between adjacent encoded-words is dropped (§6.2); adjacent words in the same charset are
/// joined before conversion, so a multi-byte character split across two words survives. Malformed words
/// are kept as written. Encoded-words glued to other text are decoded too (common in the wild).
public enum EncodedWords {
    public static func decode(_ value: Bytes) -> String {
        guard value.count >= 8, containsMarker(value) else { return Charsets.decodeUTF8OrLatin1(value) }
        var out = ""
        var pendingText = Bytes() // literal text not yet converted
        var pendingWord = Bytes() // decoded bytes of adjacent encoded-words
        var pendingCharset = ""
        var whitespaceSinceWord = Bytes()
        var afterWord = false
        func flushWord() {
            if !pendingWord.isEmpty { out += Charsets.toUTF8(pendingWord, charset: pendingCharset) }
            pendingWord = []
        }
        func flushText() {
            if !pendingText.isEmpty { out += Charsets.decodeUTF8OrLatin1(pendingText) }
            pendingText = []
        }
        var i = 0
        while i < value.count {
            if value[i] == UInt8(ascii: "="), i + 1 < value.count, value[i + 1] == UInt8(ascii: "?"),
                let (charset, decoded, next) = parseWord(value, at: i)
            {
                if afterWord && charset.lowercased() == pendingCharset.lowercased() {
                    // Adjacent: drop the blanks between, keep accumulating.
                } else {
                    flushWord()
                    if !afterWord { flushText() } else { /* blanks between words in different charsets: dropped */  }
                    pendingCharset = charset
                }
                flushText()
                pendingWord += decoded
                whitespaceSinceWord = []
                afterWord = true
                i = next
                continue
            }
            let b = value[i]
            if afterWord && ASCII.isSpace(b) {
                whitespaceSinceWord.append(b)
                i += 1
                continue
            }
            if afterWord {
                flushWord()
                pendingText += whitespaceSinceWord
                whitespaceSinceWord = []
                afterWord = false
            }
            pendingText.append(b)
            i += 1
        }
        flushWord()
        pendingText += whitespaceSinceWord
        flushText()
        return out
    }

    static func containsMarker(_ v: Bytes) -> Bool {
        for i in 0..<(v.count - 1) where v[i] == UInt8(ascii: "=") && v[i + 1] == UInt8(ascii: "?") { return true }
        return false
    }

    /// Parses `=?charset?enc?text?=` at `start`; returns charset, decoded bytes and the index after `?=`.
    static func parseWord(_ v: Bytes, at start: Int) -> (String, Bytes, Int)? {
        let q = UInt8(ascii: "?")
        var i = start + 2
        let csStart = i
        while i < v.count && v[i] != q && !ASCII.isSpace(v[i]) { i += 1 }
        guard i < v.count, v[i] == q, i > csStart, i + 2 < v.count, v[i + 2] == q else { return nil }
        var charset = String(decoding: v[csStart..<i], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) } // RFC 2231 language
        let enc = ASCII.lower(v[i + 1])
        guard enc == UInt8(ascii: "b") || enc == UInt8(ascii: "q") else { return nil }
        let textStart = i + 3
        var j = textStart
        while j + 1 < v.count && !(v[j] == q && v[j + 1] == UInt8(ascii: "=")) {
            if ASCII.isSpace(v[j]) { return nil }
            j += 1
        }
        guard j + 1 < v.count else { return nil }
        let text = Array(v[textStart..<j])
        let decoded = enc == UInt8(ascii: "b") ? Base64.decode(text) : QuotedPrintable.decode(text, header: true)
        return (charset, decoded, j + 2)
    }
}
