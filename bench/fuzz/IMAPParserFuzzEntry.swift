// libFuzzer entry for the IMAP command parser (Sources/IMAPProtocol Parser + Model). Built only by
// bench/fuzz/run-fuzz.sh imap, never by `swift build`. The input is one framed command (line, literals, CRLF) as
// IMAPCommandFramer hands it over; it is parsed with and without UTF8=ACCEPT. Crashes, ASan reports and timeouts
// are the findings; a parsed command must carry its tag.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    for options in [IMAPParserOptions(), IMAPParserOptions(utf8Accept: true, maxNestingDepth: 32)] {
        if let command = try? IMAPCommandParser(options: options).parse(buffer) {
            precondition(!command.tag.isEmpty, "a parsed command without a tag")
        }
    }
    _ = IMAPCommandParser.tag(of: buffer)
    return 0
}
