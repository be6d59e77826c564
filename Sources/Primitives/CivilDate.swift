/// A day of the proleptic Gregorian calendar (year, month 1–12, day 1–31), and the arithmetic between days and
/// Unix time, so that neither the IMAP layer, the MIME parser nor the S3 client needs a calendar library or libc's
/// gmtime (Foundation's Calendar cost more than the work around it: a SEARCH computes one day per message, S3
/// signs every request).
///
/// Fields are not checked: IMAP's `31-Feb-2020` is valid syntax and compares like any other day; `isValid` says
/// whether the calendar has it.
public struct CivilDate: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` after 1970-01-01 (before it when negative). H. Hinnant's civil_from_days.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153 // March is 0
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (negative before it). H. Hinnant's days_from_civil.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day a Unix time falls on and the seconds since that day's midnight, in UTC; add a zone's offset to the
    /// time first for its local day.
    public static func split(secondsSinceEpoch seconds: Int64) -> (date: CivilDate, secondOfDay: Int) {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        return (CivilDate(daysSinceEpoch: Int(days)), Int(rest))
    }

    /// Midnight (UTC) of this day as a Unix time.
    public var secondsSinceEpoch: Int64 { Int64(daysSinceEpoch) * 86_400 }

    /// False for a day the calendar does not have (`31-Feb-2020`, `0-Jan-2020`, month 13).
    public var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= Self.daysIn(month: month, year: year)
    }

    /// 0 for Sunday … 6 for Saturday.
    public var weekday: Int {
        let remainder = (daysSinceEpoch + 4) % 7 // 1970-01-01 was a Thursday
        return remainder < 0 ? remainder + 7 : remainder
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: English names, as mail and HTTP dates write them

    /// `Jan` … `Dec`.
    public static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// `Sun` … `Sat`, indexed by `weekday`.
    public static let weekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// The month (1–12) a three-letter abbreviation names, in any case; nil for anything else.
    public static func month(abbreviation: some StringProtocol) -> Int? {
        let letters = Array(abbreviation.utf8)
        guard letters.count == 3 else { return nil }
        let lowered = letters.map { $0 | 0x20 }
        return monthAbbreviations.firstIndex { name in
            zip(name.utf8, lowered).allSatisfy { $0 | 0x20 == $1 }
        }.map { $0 + 1 }
    }
}
