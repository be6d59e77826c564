import Foundation
import Primitives

/// The two date formats S3 uses, parsed without (non-Sendable, slow) formatters or calendars.
enum S3Dates {
    /// `Last-Modified: Sun, 22 Nov 2026 04:15:00 GMT` (RFC 7231 IMF-fixdate).
    static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count >= 5, let day = Int(parts[1]),
            let month = CivilDate.month(abbreviation: parts[2]), let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return date(year, month, day, time[0], time[1], Double(time[2]))
    }

    /// `<LastModified>2026-11-22T04:15:00.000Z</LastModified>` (ISO 8601 in UTC).
    static func parseISO8601(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { "-T:Z".contains($0) })
        guard parts.count >= 6, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let hour = Int(parts[3]), let minute = Int(parts[4]), let second = Double(parts[5])
        else { return nil }
        return date(year, month, day, hour, minute, second)
    }

    private static func date(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Double) -> Date {
        let midnight = CivilDate(year: year, month: month, day: day).secondsSinceEpoch
        return Date(timeIntervalSince1970: Double(midnight + Int64(hour * 3600 + minute * 60)) + second)
    }
}
