import IMAPProtocol
import NIOCore
import Testing

/// What the parser reads and the encoder writes must agree, since clients match sections and sets textually.
@Suite struct RoundTripTests {
    @Test(arguments: [
        "[]", "[HEADER]", "[TEXT]", "[1]", "[1.2.3]", "[2.MIME]", "[1.2.HEADER]", "[4.TEXT]",
        "[HEADER.FIELDS (From To)]", "[1.HEADER.FIELDS.NOT (\"X y\" Received)]"
    ])
    func sectionsEchoAsRequested(section: String) throws {
        guard case .fetch(_, let attributes, _, _) = try parse("a FETCH 1 BODY.PEEK\(section)\r\n"),
            case .bodySection(let spec, nil, true) = attributes.first
        else {
            Issue.record("not a body section")
            return
        }
        #expect(encoded { $0.writeSection(spec, into: &$1) } == section)
    }

    @Test func randomSequenceSetsSurviveFormatAndParse() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let numbers = (0..<Int.random(in: 1...40, using: &generator)).map { _ in UInt32.random(in: 1...200, using: &generator) }
            let ranges = SequenceSetFormatter.compact(numbers)
            let text = SequenceSetFormatter.string(ranges)
            guard case .fetch(let set, _, _, true) = try parse("a UID FETCH \(text) FLAGS\r\n") else {
                Issue.record("not a UID FETCH")
                return
            }
            #expect(set.resolvedRanges(largest: 1000) == ranges, "\(text)")
        }
    }

    @Test func mailboxNamesThroughEncoderAndParser() throws {
        for name in ["INBOX", "Sent Items", "Entwürfe/2024", "台北 & \"quoted\"", "a\\b"] {
            let written = encoded { $0.writeMailbox(name, into: &$1) }
            #expect(try parse("a SELECT \(written)\r\n") == .select(mailbox: name, SelectParameters()), "\(written)")
            let raw = encoded(utf8Accept: true) { $0.writeMailbox(name, into: &$1) }
            #expect(try parse("a SELECT \(raw)\r\n", utf8Accept: true) == .select(mailbox: name, SelectParameters()), "\(raw)")
        }
    }

    @Test func internalDateThroughEncoderAndAppend() throws {
        let date = IMAPDateTime(secondsSinceEpoch: 1_700_000_000, zoneMinutes: 330)
        let written = encoded { $0.writeDateTime(date, into: &$1) }
        guard case .append(_, let messages) = try parse("a APPEND INBOX \(written) {1}\r\nx\r\n") else {
            Issue.record("not APPEND")
            return
        }
        #expect(messages.first?.internalDate == date)
        #expect(messages.first?.internalDate?.secondsSinceEpoch == 1_700_000_000)
    }
}
