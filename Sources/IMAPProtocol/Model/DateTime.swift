import Primitives

/// An INTERNALDATE (`"17-Jul-1996 02:44:25 -0700"`): local wall time plus its zone offset.
public struct IMAPDateTime: Sendable, Hashable {
    /// The day of the wall time (a search key's date is a bare `CivilDate`: `1-Feb-1994`).
    public var date: CivilDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Offset east of UTC in minutes (-0700 is -420).
    public var zoneMinutes: Int

    public init(date: CivilDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// False for a well-formed date-time that names no real moment (31-Feb, 25:00:00, minute 61); a leap second
    /// (:60) is real.
    public var isValid: Bool {
        date.isValid && hour < 24 && minute < 60 && second < 61
    }

    /// Seconds since the Unix epoch (UTC).
    public var secondsSinceEpoch: Int64 {
        date.secondsSinceEpoch + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes * 60)
    }

    /// The UTC-based form of a Unix time with the given zone offset, for writing INTERNALDATE.
    public init(secondsSinceEpoch: Int64, zoneMinutes: Int = 0) {
        let (date, rest) = CivilDate.split(secondsSinceEpoch: secondsSinceEpoch + Int64(zoneMinutes * 60))
        self.init(
            date: date, hour: rest / 3600, minute: rest / 60 % 60,
            second: rest % 60, zoneMinutes: zoneMinutes)
    }
}
