import Primitives

/// A lenient RFC 5322 date-time parser (obsolete forms included), for SORT DATE and SEARCH SENT*.
/// "Sun, 22 Nov 2026 04:10:00 +0100 (CET)", "22 Nov 26 4:10 EST", missing seconds, junk comments …
public struct RFC5322Date: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var timestamp: Int64
    /// The sender's UTC offset in minutes (+0100 → 60).
    public var offsetMinutes: Int

    public init(timestamp: Int64, offsetMinutes: Int) {
        self.timestamp = timestamp
        self.offsetMinutes = offsetMinutes
    }

    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360,
        "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420
    ]

    public static func parse(_ value: Bytes) -> RFC5322Date? {
        // Tokens: runs of letters, runs of digits (with ':' inside times), and signs; comments dropped.
        var text = ""
        var depth = 0
        for b in value.prefix(200) {
            if b == UInt8(ascii: "(") {
                depth += 1
                continue
            }
            if b == UInt8(ascii: ")") {
                depth = max(0, depth - 1)
                continue
            }
            if depth == 0 && b < 0x80 { text.append(Character(Unicode.Scalar(b))) }
        }
        let tokens = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (Int, Int, Int)?
        var offset: Int?
        for token in tokens {
            let t = String(token)
            if time == nil, t.contains(":") {
                let parts = t.split(separator: ":").map { Int($0) }
                guard parts.count >= 2, parts.allSatisfy({ $0 != nil }) else { continue }
                time = (parts[0]!, parts[1]!, parts.count > 2 ? parts[2]! : 0)
            } else if month == nil, let m = CivilDate.month(abbreviation: t.prefix(3)) {
                month = m
            } else if t.hasPrefix("+") || t.hasPrefix("-"), t.count == 5, let n = Int(t.dropFirst()), time != nil {
                offset = (n / 100 * 60 + n % 100) * (t.hasPrefix("-") ? -1 : 1)
            } else if let z = zones[t], time != nil {
                offset = z
            } else if let n = Int(t) {
                if day == nil && n >= 1 && n <= 31 && month == nil {
                    day = n
                } else if year == nil && month != nil {
                    year = n < 50 ? 2000 + n : n < 1000 ? 1900 + n : n
                } else if day == nil && n >= 1 && n <= 31 {
                    day = n
                }
            }
        }
        guard let d = day, let m = month, let y = year, y < 10_000 else { return nil }
        let (h, mi, s) = time ?? (0, 0, 0)
        guard h < 24, mi < 60, s <= 60 else { return nil }
        let off = offset ?? 0
        // A leap second counts as :59 of its minute (Dovecot's reading: 23:59:60 stays on its day).
        let local = CivilDate(year: y, month: m, day: d).secondsSinceEpoch + Int64(h * 3600 + mi * 60 + min(s, 59))
        return RFC5322Date(timestamp: local - Int64(off * 60), offsetMinutes: off)
    }
}

extension Envelope {
    /// The Date header parsed (nil if absent or unreadable): what SORT DATE and SEARCH SENTBEFORE use.
    public var sentDate: RFC5322Date? { date.flatMap(RFC5322Date.parse) }
}
