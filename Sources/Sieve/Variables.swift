import Foundation

/// RFC 5229 variables: names, `${…}` expansion and the `set` modifiers.
enum Variables {
    static func isValidName(_ name: String) -> Bool {
        guard let f = name.utf8.first, !(f >= 48 && f <= 57) else { return false }
        return name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    /// Replaces `${name}` and `${N}`; unknown variables become empty, malformed references stay as written.
    static func expand(_ s: String, variables: [String: String], matches: [String], maxSize: Int) -> String {
        let out = References.replacing(in: s) { name in
            if let n = Int(name), name.allSatisfy(\.isNumber) { return n < matches.count ? matches[n] : "" }
            return isValidName(String(name)) ? variables[name.lowercased()] ?? "" : nil
        }
        if out.utf8.count > maxSize {
            var cut = out.utf8.prefix(maxSize)
            while String(cut) == nil, !cut.isEmpty { cut = cut.dropLast() }
            return String(cut) ?? ""
        }
        return out
    }

    /// The modifiers in RFC 5229 §4.1 precedence order (higher first).
    static func apply(_ tags: [String: SieveArgument], to value: String) -> String {
        var v = value
        if tags["lower"] != nil { v = asciiMap(v, upper: false) }
        if tags["upper"] != nil { v = asciiMap(v, upper: true) }
        if tags["lowerfirst"] != nil, let f = v.first { v = asciiMap(String(f), upper: false) + v.dropFirst() }
        if tags["upperfirst"] != nil, let f = v.first { v = asciiMap(String(f), upper: true) + v.dropFirst() }
        if tags["quotewildcard"] != nil {
            v = String(v.flatMap { "*?\\".contains($0) ? ["\\", $0] : [$0] })
        }
        if tags["quoteregex"] != nil {
            v = String(v.flatMap { "*?\\.^$[]{}()|+".contains($0) ? ["\\", $0] : [$0] })
        }
        if tags["encodeurl"] != nil {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            v = v.addingPercentEncoding(withAllowedCharacters: allowed) ?? v
        }
        if tags["length"] != nil { v = String(v.count) }
        return v
    }

    static func asciiMap(_ s: String, upper: Bool) -> String {
        String(
            decoding: s.utf8.map { b in
                if upper && b >= 97 && b <= 122 { return b - 32 }
                if !upper && b >= 65 && b <= 90 { return b + 32 }
                return b
            }, as: UTF8.self)
    }
}

/// The `${…}` references of RFC 5228 §2.4.2.4 (encoded characters) and RFC 5229 (variables), found the same way.
enum References {
    /// `s` with each `${content}` replaced by `replacement(content)`; where that is nil, or the `}` is missing, the
    /// text stays as written and the scan goes on after its `${`.
    static func replacing(in s: String, _ replacement: (Substring) -> String?) -> String {
        guard s.contains("${") else { return s }
        var out = ""
        var rest = Substring(s)
        while let r = rest.range(of: "${") {
            out += rest[..<r.lowerBound]
            let after = rest[r.upperBound...]
            if let close = after.firstIndex(of: "}"), let replaced = replacement(after[..<close]) {
                out += replaced
                rest = after[after.index(after: close)...]
            } else {
                out += "${"
                rest = after
            }
        }
        return out + rest
    }
}
