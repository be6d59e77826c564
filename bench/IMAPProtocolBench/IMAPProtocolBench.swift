// Parser throughput: `swift run -c release imap-protocol-bench` prints commands per second for typical commands.
import IMAPProtocol
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func measure(_ name: String, _ command: ByteBuffer, iterations: Int) {
    let parser = IMAPCommandParser()
    var checksum = 0
    for _ in 0..<1000 { checksum &+= (try? parser.parse(command))?.tag.utf8.count ?? 0 }
    let start = now()
    for _ in 0..<iterations { checksum &+= (try? parser.parse(command))?.tag.utf8.count ?? 0 }
    let seconds = now() - start
    let perSecond = Double(iterations) / seconds
    let nanos = seconds / Double(iterations) * 1e9
    print("\(name): \(Int(perSecond)) commands/s, \(Int(nanos)) ns/command (checksum \(checksum))")
}

func measureFraming(_ name: String, _ stream: ByteBuffer, commands: Int, iterations: Int) {
    let start = now()
    var frames = 0
    for _ in 0..<iterations {
        var framer = IMAPCommandFramer(control: IMAPFramerControl(authenticated: true))
        var buffer = stream
        while let frame = framer.nextFrame(&buffer) {
            if case .command = frame { frames += 1 }
        }
    }
    let seconds = now() - start
    print("\(name): \(Int(Double(frames) / seconds)) commands/s framed (\(frames / iterations) of \(commands) per stream)")
}

let fetch = ByteBuffer(string: "a123 UID FETCH 1:* (FLAGS UID)\r\n")
let body = String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", count: 300)
let append = ByteBuffer(string: "a124 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {\(body.utf8.count)+}\r\n\(body)\r\n")
let search = ByteBuffer(string: "a125 UID SEARCH RETURN (ALL COUNT) UNDELETED SINCE 1-Feb-2024 OR FROM \"alice\" SUBJECT \"report\"\r\n")
let headers = ByteBuffer(string: "a126 UID FETCH 1:500 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])\r\n")
measure("UID FETCH 1:* (FLAGS UID)", fetch, iterations: 2_000_000)
measure("APPEND with an \(body.utf8.count)-byte literal", append, iterations: 1_000_000)
measure("UID SEARCH RETURN … OR FROM SUBJECT", search, iterations: 1_000_000)
measure("UID FETCH headers", headers, iterations: 1_000_000)
var pipelined = ByteBuffer()
for _ in 0..<100 { pipelined.writeImmutableBuffer(fetch) }
measureFraming("framing 100 pipelined UID FETCH", pipelined, commands: 100, iterations: 20_000)
