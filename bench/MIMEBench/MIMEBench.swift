import Foundation
import IMAPProtocol
import MIME
import NIOCore

/// mime-bench: parse + structure extraction throughput (ENVELOPE + BODYSTRUCTURE + BODY + cached fields,
/// serialized) on one core, per class of a deterministic corpus. Run with bench/mime-bench.sh (release).
@main
struct MIMEBench {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        if args.first == "--dump" {
            // mime-bench --dump FILE…: ENVELOPE, BODYSTRUCTURE and BODY lines, to diff against another server.
            for path in args.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                let m = MIMEMessage.parse(Array(data))
                var line = ByteBuffer(string: "\(path)\nENVELOPE ")
                encoder.writeEnvelope(m.envelope, into: &line)
                line.writeString(" BODYSTRUCTURE ")
                encoder.writeBodyStructure(m.structure, extensible: true, into: &line)
                line.writeString(" BODY ")
                encoder.writeBodyStructure(m.structure, extensible: false, into: &line)
                line.writeString("\n")
                FileHandle.standardOutput.write(Data(line.readableBytesView))
            }
            return
        }
        let breakdown = args.contains("--breakdown")
        let scale = args.compactMap { Double($0) }.first ?? 1
        var gen = CorpusGenerator()
        let classes: [(String, [[UInt8]])] = [
            ("plain text", (0..<Int(2000 * scale)).map { gen.plain(id: $0) }),
            ("multipart/alternative", (0..<Int(1000 * scale)).map { gen.alternative(id: $0) }),
            ("base64 attachments", (0..<Int(60 * scale)).map { gen.attachments(id: $0) })
        ]
        print("mime-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, one used")
        for (name, corpus) in classes {
            let total = corpus.reduce(0) { $0 + $1.count }
            let steps: [(String, ([UInt8]) -> Int)] =
                breakdown
                ? [("parse only", parseOnly), ("+ envelope", parseEnvelope), ("+ bodystructure", parseStructures), ("full", work)]
                : [("", work)]
            for (label, step) in steps {
                let (mbps, micros, checksum) = measure(corpus, total: total, step)
                print(
                    (name + (label.isEmpty ? "" : " [\(label)]")).padding(toLength: 42, withPad: " ", startingAt: 0)
                        + String(
                            format: " %5d msgs %8.1f MB/pass  %9.1f MB/s  %9.1f µs/msg  (check %d)",
                            corpus.count, Double(total) / 1e6, mbps, micros, checksum & 0xFFFF))
            }
        }
    }

    /// Runs `step` over the corpus once to warm up, then until at least one second has gone by.
    static func measure(_ corpus: [[UInt8]], total: Int, _ step: ([UInt8]) -> Int) -> (Double, Double, Int) {
        var checksum = 0
        for m in corpus { checksum &+= step(m) }
        var passes = 0
        let clock = ContinuousClock()
        let start = clock.now
        repeat {
            for m in corpus { checksum &+= step(m) }
            passes += 1
        } while clock.now - start < .seconds(1)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(total * passes) / 1e6 / seconds, seconds / Double(corpus.count * passes) * 1e6, checksum)
    }

    /// ENVELOPE, BODYSTRUCTURE and BODY as a FETCH writes them (IMAPProtocol's writer, no UTF8=ACCEPT).
    static let encoder = IMAPResponseEncoder()

    @inline(never) static func parseOnly(_ bytes: [UInt8]) -> Int { MIMEMessage.parse(bytes).structure.parts.count }
    @inline(never) static func parseEnvelope(_ bytes: [UInt8]) -> Int {
        var written = ByteBuffer()
        encoder.writeEnvelope(MIMEMessage.parse(bytes).envelope, into: &written)
        return written.readableBytes
    }
    @inline(never) static func parseStructures(_ bytes: [UInt8]) -> Int {
        let m = MIMEMessage.parse(bytes)
        var written = ByteBuffer()
        encoder.writeEnvelope(m.envelope, into: &written)
        encoder.writeBodyStructure(m.structure, extensible: true, into: &written)
        encoder.writeBodyStructure(m.structure, extensible: false, into: &written)
        return written.readableBytes
    }

    /// What delivery does: parse once, build what the index caches (envelope, bodystructure, preview …), and the
    /// ENVELOPE/BODYSTRUCTURE/BODY a first FETCH writes from them.
    @inline(never)
    static func work(_ bytes: [UInt8]) -> Int {
        let m = MIMEMessage.parse(bytes)
        var written = ByteBuffer()
        encoder.writeEnvelope(m.envelope, into: &written)
        encoder.writeBodyStructure(m.structure, extensible: true, into: &written)
        encoder.writeBodyStructure(m.structure, extensible: false, into: &written)
        let cached = m.cachedFields().serialized()
        return written.readableBytes &+ cached.count
    }
}
