/// Dovecot's size syntax: a number with an optional unit B, k, M, G or T (powers of 1024,
/// case-insensitive, an optional trailing "B" as in "500MB").
public enum FSCacheSize {
    public static func parse(_ text: String) -> Int64? {
        var digits = Substring(text.trimmingCharacters(in: " "))
        var unitText = ""
        while let last = digits.last, !last.isNumber {
            unitText = String(last) + unitText
            digits = digits.dropLast()
        }
        guard let value = Int64(digits), value >= 0 else { return nil }
        let unit = unitText.lowercased().trimmingCharacters(in: " ")
        let shifts: [String: Int64] = ["": 0, "b": 0, "k": 10, "kb": 10, "m": 20, "mb": 20, "g": 30, "gb": 30, "t": 40, "tb": 40]
        guard let shift = shifts[unit] else { return nil }
        let (result, overflow) = value.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? nil : result
    }
}

/// Dovecot's time interval syntax for MAX_AGE: a number with s, m (min), h, d or w; seconds without a unit.
public enum FSCacheInterval {
    public static func parse(_ text: String) -> Double? {
        let units: [(String, Double)] = [("secs", 1), ("sec", 1), ("s", 1), ("mins", 60), ("min", 60), ("m", 60),
                                         ("hours", 3600), ("hour", 3600), ("h", 3600), ("days", 86400), ("day", 86400),
                                         ("d", 86400), ("weeks", 604_800), ("week", 604_800), ("w", 604_800), ("", 1)]
        let trimmed = text.trimmingCharacters(in: " ").lowercased()
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: " ")), value >= 0 {
                return value * factor
            }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
