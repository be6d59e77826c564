import Foundation
import Primitives
import Testing

@Suite struct CivilDateTests {
    @Test func knownDays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 1969, month: 12, day: 31).daysSinceEpoch == -1)
        #expect(CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch == 11_017)
        #expect(CivilDate(year: 2000, month: 2, day: 29).daysSinceEpoch == 11_016)
        #expect(CivilDate(daysSinceEpoch: 11_016) == CivilDate(year: 2000, month: 2, day: 29))
        #expect(CivilDate(year: 1600, month: 3, day: 1).daysSinceEpoch == -135_080)
        #expect(CivilDate(year: 2026, month: 11, day: 22).secondsSinceEpoch == 1_795_305_600)
    }

    /// Foundation's Gregorian calendar is the reference, across eras, leap days and negative times.
    @Test func agreesWithTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var moments: [Int64] = [0, -1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 951_868_799, 4_107_542_400, -2_208_988_800]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { moments.append(Int64.random(in: -6_000_000_000...8_000_000_000, using: &generator)) }
        for moment in moments {
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second, .weekday],
                from: Date(timeIntervalSince1970: TimeInterval(moment)))
            let (day, second) = CivilDate.split(secondsSinceEpoch: moment)
            #expect(day == CivilDate(year: parts.year!, month: parts.month!, day: parts.day!), "\(moment)")
            #expect(second == parts.hour! * 3600 + parts.minute! * 60 + parts.second!, "\(moment)")
            #expect(day.weekday == parts.weekday! - 1, "\(moment)") // Calendar counts Sunday as 1
            #expect(CivilDate(daysSinceEpoch: day.daysSinceEpoch) == day)
            #expect(day.secondsSinceEpoch + Int64(second) == moment)
        }
    }

    @Test func calendarDaysAndImpossibleOnes() {
        #expect(CivilDate(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2023, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 1900, month: 2, day: 29).isValid)
        #expect(CivilDate(year: 2000, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2020, month: 2, day: 31).isValid)
        #expect(!CivilDate(year: 2020, month: 1, day: 0).isValid)
        #expect(!CivilDate(year: 2020, month: 13, day: 1).isValid)
        #expect(!CivilDate(year: 2020, month: 0, day: 1).isValid)
        #expect(CivilDate(year: 2020, month: 4, day: 30).isValid && !CivilDate(year: 2020, month: 4, day: 31).isValid)
        // An impossible day still orders by its fields: IMAP compares SINCE 30-Feb-2020 as given.
        #expect(CivilDate(year: 2020, month: 2, day: 29) < CivilDate(year: 2020, month: 2, day: 30))
        #expect(CivilDate(year: 2020, month: 2, day: 30) < CivilDate(year: 2020, month: 3, day: 1))
        #expect(CivilDate(year: 2019, month: 12, day: 31) < CivilDate(year: 2020, month: 1, day: 1))
    }

    @Test func englishNames() {
        #expect(CivilDate.month(abbreviation: "Jan") == 1)
        #expect(CivilDate.month(abbreviation: "dec") == 12)
        #expect(CivilDate.month(abbreviation: "SEP") == 9)
        #expect(CivilDate.month(abbreviation: "xSepx".dropFirst().dropLast()) == 9)
        for text in ["", "Ja", "January", "Jan ", "J@n", "Jun!"] {
            #expect(CivilDate.month(abbreviation: text) == nil, "\(text)")
        }
        #expect(CivilDate.monthAbbreviations.count == 12 && CivilDate.monthAbbreviations[4] == "May")
        // 22 Nov 2026 is a Sunday.
        #expect(CivilDate.weekdayAbbreviations[CivilDate(year: 2026, month: 11, day: 22).weekday] == "Sun")
        #expect(CivilDate(year: 1969, month: 12, day: 31).weekday == 3)
    }
}
