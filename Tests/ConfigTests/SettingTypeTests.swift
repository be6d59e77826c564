import Testing

@testable import Config

/// Sizes and times as Dovecot writes them, also in pipeline arguments (`fscache:1G:…`) and
/// command arguments (`fscache rescan DIR 7d`), which parse through the same functions.
@Suite struct SettingTypeTests {
    @Test(arguments: [
        ("1G", Int64(1) << 30), ("500M", 500 << 20), ("100k", 100 << 10), ("2T", Int64(2) << 40),
        ("4096", 4096), ("64 MB", 64 << 20), ("1g", Int64(1) << 30), ("10B", 10)
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(SettingType.parseSize(text) == bytes)
    }

    @Test(arguments: ["", "G", "1X", "-1G", "1.5G", "99999999999999T"])
    func badSizes(text: String) {
        #expect(SettingType.parseSize(text) == nil)
    }

    @Test(arguments: [
        ("3600", Int64(3_600_000)), ("30 mins", 1_800_000), ("12h", 43_200_000), ("7d", 604_800_000),
        ("2w", 1_209_600_000), ("45s", 45_000)
    ])
    func times(text: String, milliseconds: Int64) {
        #expect(SettingType.parseMilliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "soon", "-5d", "3 fortnights"])
    func badTimes(text: String) {
        #expect(SettingType.parseMilliseconds(text) == nil)
    }
}
