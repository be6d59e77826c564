/// HTML reduced to searchable text: tags removed (block tags become line breaks), comments, `<script>`
/// and `<style>` contents dropped, character references decoded. A scanner, not a DOM: linear and total.
public enum HTMLText {
    public static func toText(_ html: String) -> String {
        let s = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "<" {
                if matches(s, i, "<!--") {
                    i = find(s, from: i + 4, "-->").map { $0 + 3 } ?? s.count
                    continue
                }
                let (name, tagEnd) = tag(s, i)
                if name == "script" || name == "style" {
                    i = find(s, from: tagEnd, "</" + name).flatMap { find(s, from: $0, ">").map { $0 + 1 } } ?? s.count
                    continue
                }
                if name.isEmpty {
                    out.append("<") // not a tag: "1 < 2"
                } else if blockTags.contains(name) {
                    out.append("\n")
                } else if name == "td" || name == "th" {
                    out.append(" ")
                } // inline tags (b, span, a …) vanish without a gap
                i = tagEnd
                continue
            }
            if c == "&", let (decoded, next) = entity(s, i) {
                out.append(contentsOf: decoded.unicodeScalars)
                i = next
                continue
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    static let blockTags: Set<String> = [
        "br", "p", "/p", "div", "/div", "tr", "/tr", "li", "h1", "h2", "h3", "h4",
        "/h1", "/h2", "/h3", "/h4", "table", "/table", "blockquote", "hr", "ul", "ol"
    ]

    static func matches(_ s: [Unicode.Scalar], _ i: Int, _ text: String) -> Bool {
        var j = i
        for c in text.unicodeScalars {
            guard j < s.count, s[j].properties.lowercaseMapping == String(c) || s[j] == c else { return false }
            j += 1
        }
        return true
    }

    static func find(_ s: [Unicode.Scalar], from: Int, _ text: String) -> Int? {
        guard let first = text.unicodeScalars.first else { return nil }
        var i = from
        while i < s.count {
            if (s[i] == first || String(s[i]).lowercased() == String(first)) && matches(s, i, text) { return i }
            i += 1
        }
        return nil
    }

    /// The lowercased tag name (with a leading `/` for end tags) and the index after the closing `>`.
    /// Not a tag (`a < b`): empty name, index after the `<`.
    static func tag(_ s: [Unicode.Scalar], _ start: Int) -> (String, Int) {
        var i = start + 1
        var name = ""
        if i < s.count, s[i] == "/" {
            name = "/"
            i += 1
        }
        while i < s.count, s[i].properties.isAlphabetic || (s[i].value >= 0x30 && s[i].value <= 0x39) {
            name += String(s[i]).lowercased()
            i += 1
        }
        if name.isEmpty && i < s.count && (s[i] == "!" || s[i] == "?") { name = "!" } // <!DOCTYPE …>, <?xml …?>
        guard name != "" && name != "/" else { return ("", start + 1) }
        // Skip attributes, honouring quotes so a `>` inside a value does not end the tag.
        var quote: Unicode.Scalar? = nil
        while i < s.count {
            let c = s[i]
            i += 1
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            if c == "\"" || c == "'" {
                quote = c
                continue
            }
            if c == ">" { break }
        }
        return (name, i)
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "euro": "€", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "laquo": "«", "raquo": "»", "eacute": "é", "egrave": "è", "agrave": "à", "aacute": "á",
        "uuml": "ü", "ouml": "ö", "auml": "ä", "Uuml": "Ü", "Ouml": "Ö", "Auml": "Ä", "szlig": "ß", "ccedil": "ç",
        "ntilde": "ñ", "bull": "•", "middot": "·", "shy": "", "zwnj": "", "zwj": "", "trade": "™", "deg": "°"
    ]

    static func entity(_ s: [Unicode.Scalar], _ start: Int) -> (String, Int)? {
        var i = start + 1
        var name = ""
        while i < s.count, i - start < 12, s[i] != ";", s[i].properties.isAlphabetic || s[i] == "#" || (s[i].value >= 0x30 && s[i].value <= 0x39) {
            name.unicodeScalars.append(s[i])
            i += 1
        }
        let next = i < s.count && s[i] == ";" ? i + 1 : i
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let v = value, let scalar = Unicode.Scalar(v), v != 0 else { return nil }
            return (String(scalar), next)
        }
        guard let text = named[name] else { return nil }
        return (text, next)
    }
}
