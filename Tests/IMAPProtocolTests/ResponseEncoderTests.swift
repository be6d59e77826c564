import IMAPProtocol
import MIME
import NIOCore
import Primitives
import Testing

@Suite struct ResponseEncoderTests {
    @Test func statusResponsesWithCodes() {
        #expect(encoded { $0.writeTagged("a1", .ok, code: .readWrite, "SELECT completed", into: &$1) } == "a1 OK [READ-WRITE] SELECT completed\r\n")
        #expect(encoded { $0.writeTagged("a", .no, code: .tryCreate, "No such mailbox", into: &$1) } == "a NO [TRYCREATE] No such mailbox\r\n")
        #expect(
            encoded { $0.writeUntagged(.ok, code: .uidValidity(3_857_529_045), "UIDs valid", into: &$1) }
                == "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
        #expect(
            encoded { $0.writeUntagged(.ok, code: .permanentFlags(["\\Deleted", "\\Seen", "\\*"]), "Limited", into: &$1) }
                == "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        #expect(
            encoded { $0.writeTagged("A003", .ok, code: .appendUID(uidValidity: 38505, uids: [3955...3955]), "APPEND completed", into: &$1) }
                == "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n")
        #expect(
            encoded {
                $0.writeTagged(
                    "A004", .ok, code: .copyUID(uidValidity: 38505, source: [304...304, 319...320], destination: [3956...3958]),
                    "Done", into: &$1)
            } == "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")
        #expect(
            encoded { $0.writeTagged("d", .ok, code: .modified([7...7, 9...9]), "Conditional STORE failed", into: &$1) }
                == "d OK [MODIFIED 7,9] Conditional STORE failed\r\n")
        #expect(
            encoded { $0.writeUntagged(.ok, code: .highestModSeq(715_194_045_007), "Highest", into: &$1) }
                == "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n")
        #expect(
            encoded { $0.writeUntagged(.ok, code: .capability(["IMAP4rev1", "IDLE"]), "ready", into: &$1) }
                == "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n")
        #expect(
            encoded { $0.writeTagged("a", .no, code: .badCharset(["UTF-8", "US-ASCII"]), "x", into: &$1) }
                == "a NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n")
        let plain: [(ResponseCode, String)] = [
            (.noModSeq, "NOMODSEQ"), (.alreadyExists, "ALREADYEXISTS"), (.nonExistent, "NONEXISTENT"), (.unavailable, "UNAVAILABLE"),
            (.cannot, "CANNOT"), (.limit, "LIMIT"), (.overQuota, "OVERQUOTA"), (.serverBug, "SERVERBUG"),
            (.authenticationFailed, "AUTHENTICATIONFAILED"), (.clientBug, "CLIENTBUG"), (.inUse, "INUSE"), (.closed, "CLOSED")
        ]
        for (code, atom) in plain {
            #expect(encoded { $0.writeTagged("t", .no, code: code, "x", into: &$1) } == "t NO [\(atom)] x\r\n")
        }
        #expect(encoded { $0.writeTagged("t", .bad, "line\r\nbreak", into: &$1) } == "t BAD line  break\r\n")
        #expect(encoded { $0.writeContinuation(into: &$1) } == "+ OK\r\n")
    }

    @Test func untaggedData() {
        #expect(encoded { $0.writeExists(172, into: &$1) } == "* 172 EXISTS\r\n")
        #expect(encoded { $0.writeRecent(0, into: &$1) } == "* 0 RECENT\r\n")
        #expect(encoded { $0.writeExpunge(3, into: &$1) } == "* 3 EXPUNGE\r\n")
        #expect(encoded { $0.writeFlags(["\\Answered", "$Forwarded"], into: &$1) } == "* FLAGS (\\Answered $Forwarded)\r\n")
        #expect(encoded { $0.writeCapability(["IMAP4rev1", "LITERAL+"], into: &$1) } == "* CAPABILITY IMAP4rev1 LITERAL+\r\n")
        #expect(encoded { $0.writeEnabled(["CONDSTORE"], into: &$1) } == "* ENABLED CONDSTORE\r\n")
        #expect(encoded { $0.writeVanished([300...310, 405...405], earlier: true, into: &$1) } == "* VANISHED (EARLIER) 300:310,405\r\n")
        #expect(encoded { $0.writeSearch([2, 3, 6], highestModSeq: 917_162_500, into: &$1) } == "* SEARCH 2 3 6 (MODSEQ 917162500)\r\n")
        #expect(encoded { $0.writeSearch([], into: &$1) } == "* SEARCH\r\n")
        #expect(encoded { $0.writeSearch([5, 1], keyword: "SORT", into: &$1) } == "* SORT 5 1\r\n")
        #expect(
            encoded {
                $0.writeESearch(ESearchResponse(tag: "A285", uid: true, min: 7, max: 3800, count: 15, all: [7...7, 9...12]), into: &$1)
            } == "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 15 ALL 7,9:12\r\n")
        #expect(encoded { $0.writeESearch(ESearchResponse(tag: "a", uid: false, count: 0), into: &$1) } == "* ESEARCH (TAG \"a\") COUNT 0\r\n")
        // RFC 5267 §4.4 shape.
        #expect(
            encoded {
                $0.writeESearch(
                    ESearchResponse(
                        tag: "B01", uid: true,
                        updates: [
                            ESearchContextUpdate(added: true, position: 0, messages: [2733...2733]),
                            ESearchContextUpdate(added: false, position: 0, messages: [5...6])
                        ]), into: &$1)
            } == "* ESEARCH (TAG \"B01\") UID ADDTO (0 2733) REMOVEFROM (0 5:6)\r\n")
        // RFC 5267 §4.4's PARTIAL examples, results and none.
        #expect(
            encoded {
                $0.writeESearch(ESearchResponse(tag: "A02", uid: true, partial: ESearchPartial(range: 23500...24000, messages: [67...69])), into: &$1)
            } == "* ESEARCH (TAG \"A02\") UID PARTIAL (23500:24000 67:69)\r\n")
        #expect(
            encoded {
                $0.writeESearch(ESearchResponse(tag: "A04", uid: true, partial: ESearchPartial(range: 24000...24500, messages: [])), into: &$1)
            } == "* ESEARCH (TAG \"A04\") UID PARTIAL (24000:24500 NIL)\r\n")
        #expect(
            encoded { $0.writeID([IDParameter(key: "name", value: "ObjectMail"), IDParameter(key: "os", value: nil)], into: &$1) }
                == "* ID (\"name\" \"ObjectMail\" \"os\" NIL)\r\n")
        #expect(encoded { $0.writeID(nil, into: &$1) } == "* ID NIL\r\n")
        #expect(encoded { $0.writeQuota(root: "", [("STORAGE", 10, 512)], into: &$1) } == "* QUOTA \"\" (STORAGE 10 512)\r\n")
        #expect(encoded { $0.writeQuotaRoot(mailbox: "INBOX", roots: ["User quota"], into: &$1) } == "* QUOTAROOT INBOX \"User quota\"\r\n")
    }

    @Test func namespace() {
        #expect(
            encoded {
                $0.writeNamespace(
                    personal: [NamespaceDescription(prefix: "", delimiter: "/")], otherUsers: [],
                    shared: [NamespaceDescription(prefix: "Öffentlich/", delimiter: "/")], into: &$1)
            } == "* NAMESPACE ((\"\" \"/\")) NIL ((\"&ANY-ffentlich/\" \"/\"))\r\n")
    }

    @Test func metadata() {
        #expect(
            encoded {
                $0.writeMetadata(
                    mailbox: "",
                    [
                        MetadataEntry(name: "/shared/comment", value: ByteBuffer(string: "Shared comment")),
                        MetadataEntry(name: "/private/x", value: nil)
                    ], into: &$1)
            } == "* METADATA \"\" (/shared/comment \"Shared comment\" /private/x NIL)\r\n")
    }

    @Test func threadTreesFollowRFC5256() {
        // (2)(3 6 (4 23)(44 7 96))
        let threads = [
            ThreadNode(message: 2),
            ThreadNode(
                message: 3,
                children: [
                    ThreadNode(
                        message: 6,
                        children: [
                            ThreadNode(message: 4, children: [ThreadNode(message: 23)]),
                            ThreadNode(message: 44, children: [ThreadNode(message: 7, children: [ThreadNode(message: 96)])])
                        ])
                ])
        ]
        #expect(encoded { $0.writeThread(threads, into: &$1) } == "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n")
        #expect(
            encoded { $0.writeThread([ThreadNode(message: nil, children: [ThreadNode(message: 3), ThreadNode(message: 5)])], into: &$1) }
                == "* THREAD ((3)(5))\r\n")
        #expect(encoded { $0.writeThread([], into: &$1) } == "* THREAD\r\n")
    }

    @Test func listAndStatusEncodeNames() {
        #expect(
            encoded { $0.writeList(ListEntry(attributes: ["\\HasNoChildren"], delimiter: "/", name: "INBOX"), into: &$1) }
                == "* LIST (\\HasNoChildren) \"/\" INBOX\r\n")
        #expect(
            encoded { $0.writeList(ListEntry(attributes: [], delimiter: "/", name: "Sent Items/台北"), into: &$1) }
                == "* LIST () \"/\" \"Sent Items/&U,BTFw-\"\r\n")
        #expect(
            encoded(utf8Accept: true) { $0.writeList(ListEntry(attributes: [], delimiter: ".", name: "台北"), into: &$1) }
                == "* LIST () \".\" \"台北\"\r\n")
        #expect(
            encoded { $0.writeList(ListEntry(attributes: ["\\NoSelect"], delimiter: nil, name: "NIL"), lsub: true, into: &$1) }
                == "* LSUB (\\NoSelect) NIL \"NIL\"\r\n")
        #expect(
            encoded {
                $0.writeList(ListEntry(attributes: ["\\Subscribed"], delimiter: "/", name: "Foo", childInfo: ["SUBSCRIBED"], oldName: "Bar"), into: &$1)
            } == "* LIST (\\Subscribed) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\") \"OLDNAME\" (Bar))\r\n")
        #expect(
            encoded { $0.writeStatus(mailbox: "Tom & Jerry", [(.messages, 231), (.uidNext, 44292), (.size, 1_000_000)], into: &$1) }
                == "* STATUS \"Tom &- Jerry\" (MESSAGES 231 UIDNEXT 44292 SIZE 1000000)\r\n")
    }

    @Test func stringsPickQuotedOrLiteral() {
        #expect(encoded { $0.writeNString(nil, into: &$1) } == "NIL")
        #expect(encoded { $0.writeNString("a \"b\" \\c", into: &$1) } == "\"a \\\"b\\\" \\\\c\"")
        #expect(encoded { $0.writeNString("two\r\nlines", into: &$1) } == "{10}\r\ntwo\r\nlines")
        #expect(encoded { $0.writeNString("Grüße", into: &$1) } == "{7}\r\nGrüße")
        #expect(encoded(utf8Accept: true) { $0.writeNString("Grüße", into: &$1) } == "\"Grüße\"")
        #expect(encoded(utf8Accept: true) { $0.writeString([0xFF, 0x41], into: &$1) }.hasPrefix("{2}\r\n"))
        #expect(encoded { $0.writeAString("plain", into: &$1) } == "plain")
        #expect(encoded { $0.writeAString("", into: &$1) } == "\"\"")
        #expect(encoded { $0.writeNString(String(repeating: "x", count: 2000), into: &$1) }.hasPrefix("{2000}\r\n"))
    }

    func bytes(utf8Accept: Bool = false, _ body: (IMAPResponseEncoder, inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        body(IMAPResponseEncoder(utf8Accept: utf8Accept), &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The one rule every string follows (what ENVELOPE, BODYSTRUCTURE, ID, METADATA … write).
    @Test func oneStringRule() {
        // Short 7-bit text is quoted, with `"` and `\` escaped however many there are.
        #expect(encoded { $0.writeString(Array(#"say "hi" \ "bye" "x" "y""#.utf8), into: &$1) } == #""say \"hi\" \\ \"bye\" \"x\" \"y\"""#)
        #expect(encoded { $0.writeString([], into: &$1) } == "\"\"")
        // Up to the limit quoted, beyond it a literal.
        let limit = IMAPResponseEncoder.quotedLimit
        #expect(encoded { $0.writeString(Array(repeating: 0x61, count: limit), into: &$1) }.hasPrefix("\"aaa"))
        #expect(encoded { $0.writeString(Array(repeating: 0x61, count: limit + 1), into: &$1) }.hasPrefix("{\(limit + 1)}\r\naaa"))
        // A lone CR or LF needs a literal too.
        #expect(encoded { $0.writeString(Array("a\rb".utf8), into: &$1) } == "{3}\r\na\rb")
        // NUL is in neither form: 0x80 in a literal of the same length.
        #expect(bytes { $0.writeString([0x61, 0x00, 0x62], into: &$1) } == Array("{3}\r\n".utf8) + [0x61, 0x80, 0x62])
        #expect(bytes(utf8Accept: true) { $0.writeString([0x00], into: &$1) } == Array("{1}\r\n".utf8) + [0x80])
        // 8-bit: a literal, or quoted UTF-8 once UTF8=ACCEPT is on (never invalid UTF-8).
        #expect(encoded { $0.writeString(Array("é".utf8), into: &$1) } == "{2}\r\né")
        #expect(encoded(utf8Accept: true) { $0.writeString(Array("\"é\"".utf8), into: &$1) } == "\"\\\"é\\\"\"")
        #expect(bytes(utf8Accept: true) { $0.writeString([0xC3], into: &$1) } == Array("{1}\r\n".utf8) + [0xC3])
        #expect(encoded { $0.writeNString(bytes: nil, into: &$1) } == "NIL")
        #expect(encoded { $0.writeNString(bytes: Array("NIL".utf8), into: &$1) } == "\"NIL\"")
    }

    /// Subjects and display names: Dovecot's cleanup for humans (its test-imap-quote cases) and its forms.
    @Test func humanStrings() {
        func human(_ text: String, utf8Accept: Bool = false) -> String {
            encoded(utf8Accept: utf8Accept) { $0.writeHumanString(Array(text.utf8), into: &$1) }
        }
        #expect(encoded { $0.writeHumanString(nil, into: &$1) } == "NIL")
        for blank in ["", " ", "  ", "\t", " \t", " \t "] { #expect(human(blank) == "\"\"", "\(blank)") }
        for padded in [" foo", "\tfoo", "\t \tfoo", " foo ", " foo  ", " foo  \t  \t"] { #expect(human(padded) == "{3}\r\nfoo", "\(padded)") }
        #expect(human("hello\"world") == "{11}\r\nhello\"world")
        #expect(human("hello\\world") == "{11}\r\nhello\\world")
        #expect(human("hello\r\n world") == "{11}\r\nhello world")
        #expect(human("two  spaces") == "{10}\r\ntwo spaces")
        #expect(human("plain subject") == "\"plain subject\"")
        #expect(human("a\u{0}b") == "{5}\r\na\u{FFFD}b")
        #expect(human("Grüße") == "{7}\r\nGrüße")
        #expect(human("Grüße", utf8Accept: true) == "\"Grüße\"")
        #expect(human("Grüße  x", utf8Accept: true) == "{9}\r\nGrüße x", "cleaned text stays a literal")
    }

    /// ENVELOPE and BODYSTRUCTURE are written with the session's rule: UTF-8 quoted once UTF8=ACCEPT is on.
    @Test func structuresFollowTheSessionsStringRule() {
        let message = MIMEMessage.parse(Array("Subject: Grüße\r\nMessage-ID: <ü@x>\r\n\r\nbody\r\n".utf8))
        #expect(
            encoded { $0.writeEnvelope(message.envelope, into: &$1) }
                == "(NIL {7}\r\nGrüße NIL NIL NIL NIL NIL NIL NIL {6}\r\n<ü@x>)")
        #expect(
            encoded(utf8Accept: true) { $0.writeEnvelope(message.envelope, into: &$1) }
                == "(NIL \"Grüße\" NIL NIL NIL NIL NIL NIL NIL \"<ü@x>\")")
    }

    @Test func fetchItems() {
        let date = IMAPDateTime(date: CivilDate(year: 1996, month: 7, day: 7), hour: 2, minute: 44, second: 5, zoneMinutes: -420)
        var envelope = Envelope()
        envelope.subject = Array("x".utf8)
        let structure = MessageStructure.parse(Array("Content-Type: TEXT/PLAIN\r\n\r\nabc".utf8))
        let line = encoded {
            $0.writeFetch(
                sequence: 12,
                [
                    .uid(4_827_313), .flags(["\\Seen"]), .internalDate(date), .rfc822Size(4286), .modSeq(12_121_231_000),
                    .envelope(envelope), .envelope(nil), .bodyStructure(structure, extensible: false),
                    .bodySection(SectionSpec(part: [1, 2], kind: .headerFields(["From", "X y"])), origin: 0, data: ByteBuffer(string: "ab")),
                    .bodySection(SectionSpec(), origin: nil, data: nil),
                    .binary(part: [1], origin: nil, data: ByteBuffer(bytes: [0x61, 0x00])),
                    .binarySize(part: [], 77), .saveDate(nil), .preview("Hi"), .fuzzyPreview(.snippet, "Yo"), .fuzzyPreview(.preview, nil), .emailID("M6d"),
                    .threadID(nil)
                ], into: &$1)
        }
        #expect(
            line == "* 12 FETCH (UID 4827313 FLAGS (\\Seen) INTERNALDATE \"07-Jul-1996 02:44:05 -0700\" RFC822.SIZE 4286 "
                + "MODSEQ (12121231000) ENVELOPE (NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL) ENVELOPE NIL "
                + "BODY (\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0) "
                + "BODY[1.2.HEADER.FIELDS (From \"X y\")]<0> {2}\r\nab BODY[] NIL BINARY[1] ~{2}\r\na\u{0} BINARY.SIZE[] 77 "
                + "SAVEDATE NIL PREVIEW \"Hi\" SNIPPET (FUZZY \"Yo\") PREVIEW (FUZZY NIL) EMAILID (M6d) THREADID NIL)\r\n")
    }

    /// NUL may not appear in a `{n}` literal (RFC 3501 CHAR8): outside BINARY it goes out as 0x80, as Dovecot
    /// sends it, so a message APPENDed with a `~{n}` literal still reads as a string of the same size.
    @Test func nulOutsideBinaryLiterals() {
        var buffer = ByteBuffer()
        let data = ByteBuffer(bytes: [0x00, 0x61, 0x00])
        IMAPResponseEncoder().writeFetch(
            sequence: 1,
            [
                .bodySection(SectionSpec(part: [1]), origin: nil, data: data), .rfc822Text(data),
                .binary(part: [1], origin: nil, data: data)
            ], into: &buffer)
        #expect(
            Array(buffer.readableBytesView) == Array("* 1 FETCH (BODY[1] {3}\r\n".utf8) + [0x80, 0x61, 0x80]
                + Array(" RFC822.TEXT {3}\r\n".utf8) + [0x80, 0x61, 0x80] + Array(" BINARY[1] ~{3}\r\n".utf8) + [0x00, 0x61, 0x00] + Array(")\r\n".utf8))
    }

    @Test func dateTimeRoundTripsThroughEpoch() {
        let date = IMAPDateTime(secondsSinceEpoch: 837_596_665, zoneMinutes: -420)
        #expect(encoded { $0.writeDateTime(date, into: &$1) } == "\"17-Jul-1996 02:44:25 -0700\"")
        #expect(date.secondsSinceEpoch == 837_596_665)
        #expect(IMAPDateTime(secondsSinceEpoch: 0).date == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch == 11_017)
    }

    @Test func sequenceSetCompaction() {
        #expect(SequenceSetFormatter.string(SequenceSetFormatter.compact([5, 1, 2, 3, 9, 10, 3])) == "1:3,5,9:10")
        #expect(SequenceSetFormatter.string(SequenceSetFormatter.runs([5, 6, 2, 3, 4_294_967_295])) == "5:6,2:3,4294967295")
        #expect(SequenceSetFormatter.string([]) == "")
        let set = SequenceSet.ranges([SequenceRange(.number(10), .last), SequenceRange(.number(3), .number(1)), SequenceRange(.number(4))])
        #expect(set.resolvedRanges(largest: 20) == [1...4, 10...20])
        #expect(set.resolvedRanges(largest: 0) == [0...10])
        #expect(SequenceSet.lastSearchResult.resolvedRanges(largest: 5) == nil)
    }
}
