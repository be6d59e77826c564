import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thrown when a run exceeds its step budget or another runtime limit.
struct SieveRuntimeError: Error {
    var message: String
}

/// Counts interpreter work; a hostile script ends with a runtime error instead of running away.
final class StepBudget {
    private var remaining: Int
    init(_ steps: Int) { remaining = steps }
    func spend(_ n: Int = 1) throws(SieveRuntimeError) {
        remaining -= n
        if remaining < 0 { throw SieveRuntimeError(message: "execution exceeded CPU time limit") }
    }
}

/// The comparators of RFC 4790 that Sieve names.
enum Comparator {
    case octet, asciiCasemap, asciiNumeric

    init(_ name: String) {
        switch name.lowercased() {
        case "i;octet": self = .octet
        case "i;ascii-numeric": self = .asciiNumeric
        default: self = .asciiCasemap
        }
    }

    func fold(_ s: String) -> [UInt8] {
        switch self {
        case .asciiCasemap: return s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        default: return Array(s.utf8)
        }
    }

    /// i;ascii-numeric: the leading digits as a number; none at all is positive infinity (nil).
    static func numericValue(_ s: String) -> [UInt8]? {
        let digits = s.utf8.prefix { $0 >= 48 && $0 <= 57 }
        guard !digits.isEmpty else { return nil }
        let trimmed = Array(digits.drop { $0 == 48 })
        return trimmed
    }

    /// Ordering for :value and equality for :is: -1, 0, 1.
    func compare(_ a: String, _ b: String) -> Int {
        switch self {
        case .asciiNumeric:
            switch (Self.numericValue(a), Self.numericValue(b)) {
            case (nil, nil): return 0
            case (nil, _): return 1
            case (_, nil): return -1
            case (let x?, let y?):
                if x.count != y.count { return x.count < y.count ? -1 : 1 }
                return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
            }
        default:
            let x = fold(a)
            let y = fold(b)
            return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
        }
    }
}

/// A match type with its comparator; `match` answers and, for :matches and :regex, yields the match values.
struct Matcher {
    var type: String
    var comparator: Comparator
    var relation: String?
    let budget: StepBudget

    func relationHolds(_ c: Int) -> Bool {
        switch relation?.lowercased() {
        case "gt": return c > 0
        case "ge": return c >= 0
        case "lt": return c < 0
        case "le": return c <= 0
        case "ne": return c != 0
        default: return c == 0
        }
    }

    /// Whether any value matches any key; the first match's captures go to `captures` (`${0}` is the whole value).
    func matchAny(values: [String], keys: [String], captures: inout [String]?, regexCache: RegexCache) throws(SieveRuntimeError) -> Bool {
        if type == "count" {
            let count = String(values.count)
            for k in keys {
                try budget.spend()
                if relationHolds(comparator.compare(count, k)) { return true }
            }
            return false
        }
        for v in values {
            for k in keys {
                try budget.spend()
                if let caps = try match(v, k, regexCache: regexCache) {
                    if type == "matches" || type == "regex" { captures = caps }
                    return true
                }
            }
        }
        return false
    }

    func match(_ value: String, _ key: String, regexCache: RegexCache) throws(SieveRuntimeError) -> [String]? {
        switch type {
        case "value":
            return relationHolds(comparator.compare(value, key)) ? [] : nil
        case "contains":
            if comparator == .asciiNumeric { return comparator.compare(value, key) == 0 ? [] : nil }
            let v = comparator.fold(value)
            let k = comparator.fold(key)
            if k.isEmpty { return [] }
            if k.count > v.count { return nil }
            try budget.spend(v.count / 64)
            // Each candidate position costs up to the key's length: charged, so a long key against a long
            // repetitive value (a hostile body) ends with the CPU limit instead of O(value × key) work.
            let first = k[0]
            let cost = k.count / 32
            for i in 0...(v.count - k.count) where v[i] == first {
                if cost > 0 { try budget.spend(cost) }
                if v[i..<(i + k.count)].elementsEqual(k) { return [] }
            }
            return nil
        case "matches":
            return try Wildcard.match(value, pattern: key, comparator: comparator, budget: budget)
        case "regex":
            let regex = try regexCache.regex(key, caseInsensitive: comparator == .asciiCasemap)
            try budget.spend(value.utf8.count / 16 + 1)
            return regex.match(value)
        default:
            return comparator.compare(value, key) == 0 ? [] : nil
        }
    }
}

/// `:matches` patterns: `*` and `?` with `\` escapes; captures one value per wildcard, `*` as short as the rest allows.
enum Wildcard {
    private enum Piece {
        case literal([UInt8])
        case one, any
    }

    static func match(_ value: String, pattern: String, comparator: Comparator, budget: StepBudget) throws(SieveRuntimeError) -> [String]? {
        var pieces: [Piece] = []
        var lit: [UInt8] = []
        var escaped = false
        for b in pattern.utf8 {
            if escaped {
                lit.append(b)
                escaped = false
                continue
            }
            switch b {
            case 92: escaped = true
            case 42, 63:
                if !lit.isEmpty {
                    pieces.append(.literal(comparator.fold(String(decoding: lit, as: UTF8.self))))
                    lit = []
                }
                pieces.append(b == 42 ? .any : .one)
            default: lit.append(b)
            }
        }
        if !lit.isEmpty { pieces.append(.literal(comparator.fold(String(decoding: lit, as: UTF8.self)))) }
        // Work on Unicode scalars for `?` (one character), on folded bytes for literals.
        let original = Array(value.unicodeScalars)
        let folded: [[UInt8]] = original.map { comparator.fold(String($0)) }
        func literalAt(_ lit: [UInt8], _ pos: Int) -> Int? {
            var matched = 0
            var p = pos
            while matched < lit.count, p < folded.count {
                let f = folded[p]
                guard matched + f.count <= lit.count, lit[matched..<(matched + f.count)].elementsEqual(f) else { return nil }
                matched += f.count
                p += 1
            }
            return matched == lit.count ? p : nil
        }
        // The classic iterative glob match: on a mismatch only the last `*` grows, which finds a match when one
        // exists, leaves earlier `*`s as short as possible (RFC 5229's match values), and needs no recursion, so a
        // long pattern cannot exhaust the stack. Every step is charged to the budget.
        var caps = [Range<Int>](repeating: 0..<0, count: pieces.count)
        var pi = 0
        var pos = 0
        var lastStar: Int?
        while true {
            try budget.spend()
            var advanced = false
            if pi == pieces.count {
                if pos == folded.count { break }
            } else {
                switch pieces[pi] {
                case .any:
                    lastStar = pi
                    caps[pi] = pos..<pos
                    pi += 1
                    advanced = true
                case .one:
                    if pos < folded.count {
                        caps[pi] = pos..<(pos + 1)
                        pos += 1
                        pi += 1
                        advanced = true
                    }
                case .literal(let l):
                    try budget.spend(l.count / 16)
                    if let next = literalAt(l, pos) {
                        pos = next
                        pi += 1
                        advanced = true
                    }
                }
            }
            if advanced { continue }
            guard let star = lastStar, caps[star].upperBound < folded.count else { return nil }
            caps[star] = caps[star].lowerBound..<(caps[star].upperBound + 1)
            pos = caps[star].upperBound
            pi = star + 1
        }
        var out = [value]
        for (i, piece) in pieces.enumerated() {
            if case .literal = piece { continue }
            var s = ""
            s.unicodeScalars.append(contentsOf: original[caps[i]])
            out.append(s)
        }
        return out
    }
}

/// A POSIX extended regular expression (regcomp/regexec, as Pigeonhole uses).
final class POSIXRegex {
    private var regex = regex_t()

    init(_ pattern: String, caseInsensitive: Bool) throws(SieveRuntimeError) {
        let flags = REG_EXTENDED | (caseInsensitive ? REG_ICASE : 0)
        let rc = regcomp(&regex, pattern, flags)
        if rc != 0 {
            let message = Self.errorText(rc, &regex)
            regfree(&regex)
            throw SieveRuntimeError(message: "invalid regular expression '\(pattern)': \(message)")
        }
    }

    deinit { regfree(&regex) }

    private static func errorText(_ rc: Int32, _ r: inout regex_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        regerror(rc, &r, &buffer, buffer.count)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// Compile-time check: nil if it compiles; back-references are refused (their matching time is unbounded).
    static func check(_ pattern: String, caseInsensitive: Bool) -> String? {
        if hasBackReference(pattern) { return "back-references are not supported" }
        var r = regex_t()
        let rc = regcomp(&r, pattern, REG_EXTENDED | (caseInsensitive ? REG_ICASE : 0))
        defer { regfree(&r) }
        return rc == 0 ? nil : errorText(rc, &r)
    }

    static func hasBackReference(_ pattern: String) -> Bool {
        let b = Array(pattern.utf8)
        var i = 0
        while i + 1 < b.count {
            if b[i] == 92 {
                if b[i + 1] >= 49 && b[i + 1] <= 57 { return true }
                i += 2
            } else {
                i += 1
            }
        }
        return false
    }

    /// The whole match and up to nine groups (an unmatched group is the empty string), or nil.
    func match(_ value: String) -> [String]? {
        var groups = [regmatch_t](repeating: regmatch_t(), count: 10)
        let bytes = Array(value.utf8)
        let rc: Int32 = value.withCString { regexec(&regex, $0, groups.count, &groups, 0) }
        guard rc == 0 else { return nil }
        let n = min(Int(regex.re_nsub) + 1, 10)
        return (0..<n).map { i -> String in
            let g = groups[i]
            guard g.rm_so >= 0, g.rm_eo >= g.rm_so, Int(g.rm_eo) <= bytes.count else { return "" }
            return String(decoding: bytes[Int(g.rm_so)..<Int(g.rm_eo)], as: UTF8.self)
        }
    }
}

/// Regexes compiled during one run (regex_t is not Sendable, so a compiled script keeps only the text).
final class RegexCache {
    private var cache: [String: POSIXRegex] = [:]
    let maxPatternLength: Int
    let budget: StepBudget
    init(maxPatternLength: Int, budget: StepBudget) {
        self.maxPatternLength = maxPatternLength
        self.budget = budget
    }

    func regex(_ pattern: String, caseInsensitive: Bool) throws(SieveRuntimeError) -> POSIXRegex {
        let key = (caseInsensitive ? "i:" : "o:") + pattern
        if let r = cache[key] { return r }
        if pattern.utf8.count > maxPatternLength {
            throw SieveRuntimeError(message: "regular expression is too long (max \(maxPatternLength) bytes)")
        }
        if POSIXRegex.hasBackReference(pattern) {
            throw SieveRuntimeError(message: "invalid regular expression '\(pattern)': back-references are not supported")
        }
        try budget.spend(pattern.utf8.count) // compiling costs about the pattern's length, charged like matching
        let r = try POSIXRegex(pattern, caseInsensitive: caseInsensitive)
        cache[key] = r
        return r
    }
}
