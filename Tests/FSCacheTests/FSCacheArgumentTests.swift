import FSCache
import Testing

@Suite struct FSCacheArgumentTests {
    @Test(arguments: [
        ("1G", Int64(1) << 30), ("500M", 500 << 20), ("100k", 100 << 10), ("2T", Int64(2) << 40),
        ("4096", 4096), ("64 MB", 64 << 20), ("1g", Int64(1) << 30), ("10B", 10),
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(FSCacheSize.parse(text) == bytes)
    }

    @Test(arguments: ["", "G", "1X", "-1G", "1.5G", "99999999999999T"])
    func badSizes(text: String) {
        #expect(FSCacheSize.parse(text) == nil)
    }

    @Test(arguments: [("3600", 3600.0), ("30 mins", 1800), ("12h", 43200), ("7d", 604_800), ("2w", 1_209_600), ("45s", 45)])
    func intervals(text: String, seconds: Double) {
        #expect(FSCacheInterval.parse(text) == seconds)
    }

    @Test(arguments: ["", "soon", "-5d", "3 fortnights"])
    func badIntervals(text: String) {
        #expect(FSCacheInterval.parse(text) == nil)
    }
}
