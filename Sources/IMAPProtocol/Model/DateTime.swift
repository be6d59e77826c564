/// A calendar date as IMAP search keys carry it (`1-Feb-1994`).
public struct IMAPDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (proleptic Gregorian), so search code needs no calendar library.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// False for a day the month does not have (`31-Feb-2020`, `0-Jan-2020`): valid IMAP syntax, no real date.
    public var isCalendarDate: Bool {
        day >= 1 && day <= Self.daysIn(month: month, year: year)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// An INTERNALDATE (`"17-Jul-1996 02:44:25 -0700"`): local wall time plus its zone offset.
public struct IMAPDateTime: Sendable, Hashable {
    public var date: IMAPDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Offset east of UTC in minutes (-0700 is -420).
    public var zoneMinutes: Int

    public init(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// False for a well-formed date-time that names no real moment (31-Feb, 25:00:00, minute 61); a leap second
    /// (:60) is real.
    public var isValid: Bool {
        date.isCalendarDate && hour < 24 && minute < 60 && second < 61
    }

    /// Seconds since the Unix epoch (UTC).
    public var secondsSinceEpoch: Int64 {
        Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes * 60)
    }

    /// The UTC-based form of a Unix time with the given zone offset, for writing INTERNALDATE.
    public init(secondsSinceEpoch: Int64, zoneMinutes: Int = 0) {
        let local = secondsSinceEpoch + Int64(zoneMinutes * 60)
        var days = Int(local / 86_400)
        var rest = Int(local % 86_400)
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        // Inverse of daysSinceEpoch (H. Hinnant's civil_from_days).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(date: IMAPDate(year: year, month: month, day: day), hour: rest / 3600, minute: rest / 60 % 60,
                  second: rest % 60, zoneMinutes: zoneMinutes)
    }
}
