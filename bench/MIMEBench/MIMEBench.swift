import Foundation
import MIME

/// mime-bench: parse + structure extraction throughput (ENVELOPE + BODYSTRUCTURE + BODY + cached fields,
/// serialized) on one core, per class of a deterministic corpus. Run with bench/mime-bench.sh (release).
@main
struct MIMEBench {
    static func main() {
        let args = CommandLine.arguments
        let scale = args.count > 1 ? Double(args[1]) ?? 1 : 1
        var gen = CorpusGenerator()
        let classes: [(String, [[UInt8]])] = [
            ("plain text", (0..<Int(2000 * scale)).map { gen.plain(id: $0) }),
            ("multipart/alternative", (0..<Int(1000 * scale)).map { gen.alternative(id: $0) }),
            ("base64 attachments", (0..<Int(60 * scale)).map { gen.attachments(id: $0) }),
        ]
        print("mime-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, one used")
        for (name, corpus) in classes {
            let total = corpus.reduce(0) { $0 + $1.count }
            var checksum = 0
            // Warm-up pass, then timed passes until at least one second has gone by.
            for m in corpus { checksum &+= work(m) }
            var passes = 0
            let clock = ContinuousClock()
            let start = clock.now
            repeat {
                for m in corpus { checksum &+= work(m) }
                passes += 1
            } while clock.now - start < .seconds(1)
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let mb = Double(total * passes) / 1_000_000
            let perMessageMicros = seconds / Double(corpus.count * passes) * 1e6
            print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: " %5d msgs %8.1f MB/pass  %9.1f MB/s  %9.1f µs/msg  (check %d)",
                         corpus.count, Double(total) / 1e6, mb / seconds, perMessageMicros, checksum & 0xFFFF))
        }
    }

    /// What delivery does: parse once, build what the index caches (envelope, bodystructure, preview …).
    @inline(never)
    static func work(_ bytes: [UInt8]) -> Int {
        let m = MIMEMessage.parse(bytes)
        let env = m.imapEnvelope()
        let bs = m.bodyStructure(extensible: true)
        let body = m.bodyStructure(extensible: false)
        let cached = m.cachedFields().serialized()
        return env.count &+ bs.count &+ body.count &+ cached.count
    }
}
