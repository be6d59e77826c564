import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The process title `ps` and /proc/PID/cmdline show, rewritten where the kernel reads it: the memory of the
/// argument strings, and of the environment strings that follow them, as Dovecot's and nginx's setproctitle do on
/// Linux (which has no setproctitle call). On Linux, Swift's `CommandLine.unsafeArgv` is the argv the kernel set
/// up (the runtime takes it from the `.init_array` call), not a copy: checked with a program that wrote into
/// argv[0] and read its own /proc/self/cmdline.
///
/// A title shorter than the arguments is padded with NULs up to their end; a longer one runs into the
/// environment's area, and the kernel then shows it up to its first NUL (it reads past the arguments when their
/// last byte is no longer NUL).
final class ProcessTitle: Sendable {
    private struct Area {
        var start: UnsafeMutablePointer<CChar>
        var count: Int
        /// The bytes as the process started, for `restore`.
        var original: [CChar]
    }

    private let area: Mutex<Area>

    private init(area: sending Area) {
        self.area = Mutex(area)
    }

    /// Takes over the argument and environment strings. Call it early, before other threads read the environment:
    /// each variable is set again with `setenv`, which points `environ` at a copy on the heap and leaves the
    /// original strings unused. Arguments are read into `CommandLine.arguments` and `ProcessInfo`'s copy first, so
    /// they keep the original text. Nil when there is no argument memory to use.
    static func prepare() -> ProcessTitle? {
        _ = CommandLine.arguments
        _ = ProcessInfo.processInfo.arguments
        let argv = CommandLine.unsafeArgv
        guard CommandLine.argc > 0, let first = argv[0] else { return nil }
        var end = first + strlen(first) + 1
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = argv[index], argument == end else { break }
            end = argument + strlen(argument) + 1
        }
        var variables: [(name: String, value: String)] = []
        var index = 0
        while let entry = environ[index] {
            index += 1
            guard entry == end else { continue }
            end = entry + strlen(entry) + 1
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "="), equals != text.startIndex {
                variables.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
        }
        for variable in variables { setenv(variable.name, variable.value, 1) }
        // A string still in the area (a name given twice, an entry without `=`) must not be overwritten: the area
        // stops before it.
        index = 0
        while let entry = environ[index] {
            index += 1
            if entry >= first && entry < end { end = entry }
        }
        let count = end - first
        guard count > 1 else { return nil }
        let original = Array(UnsafeBufferPointer(start: first, count: count))
        return ProcessTitle(area: Area(start: first, count: count, original: original))
    }

    /// Shows `title` (cut to the area, which keeps one NUL at its end).
    func set(_ title: String) {
        area.withLock { area in
            let bytes = Array(title.utf8.prefix(area.count - 1))
            memcpy(area.start, bytes, bytes.count)
            memset(area.start + bytes.count, 0, area.count - bytes.count)
        }
    }

    /// Shows the command line the process started with again.
    func restore() {
        area.withLock { area in
            area.original.withUnsafeBufferPointer { original in
                area.start.update(from: original.baseAddress!, count: area.count)
            }
        }
    }
}
