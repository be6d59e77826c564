import Primitives

/// Where the cache keeps things under its directory:
/// entries at `DIR/ab/abcdef…` (a 128-bit hash of the key, fanned out over 256 folders so that
/// no directory grows huge), temporary fills under `DIR/tmp/`.
///
/// The hash keeps file names short and safe whatever the key; the key itself is stored in the
/// entry's trailer and compared on every read, so a collision is a miss, never a wrong mail.
struct FSCacheLayout: Sendable {
    let directory: String

    var temporaryDirectory: String { directory + "/tmp" }

    func name(for key: String) -> String {
        // Two FNV-1a 64 passes with different offsets: fast, dependency-free, well spread.
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in key.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = second ^ (second >> 29)
        }
        return Hex.fixedWidth(first) + Hex.fixedWidth(second)
    }

    func path(forName name: String) -> String {
        directory + "/" + name.prefix(2) + "/" + name
    }

    func subdirectory(forName name: String) -> String {
        directory + "/" + name.prefix(2)
    }

    /// True for names this layout produces (32 hex digits), so a scan skips anything else.
    static func isEntryName(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
