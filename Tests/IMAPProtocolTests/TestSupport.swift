import IMAPProtocol
import NIOCore
import Testing

func parse(_ line: String, utf8Accept: Bool = false) throws -> IMAPCommand {
    let parser = IMAPCommandParser(options: IMAPParserOptions(utf8Accept: utf8Accept))
    return try parser.parse(ByteBuffer(string: line)).command
}

/// The parse error for `line`, or nil when it parsed (so a test fails visibly).
func parseError(_ line: String) -> IMAPParseError? {
    do {
        _ = try IMAPCommandParser().parse(ByteBuffer(string: line))
        return nil
    } catch {
        return error
    }
}

func encoded(utf8Accept: Bool = false, _ body: (IMAPResponseEncoder, inout ByteBuffer) -> Void) -> String {
    var buffer = ByteBuffer()
    body(IMAPResponseEncoder(utf8Accept: utf8Accept), &buffer)
    return String(buffer: buffer)
}
