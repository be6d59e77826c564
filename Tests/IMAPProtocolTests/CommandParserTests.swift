import IMAPProtocol
import NIOCore
import Primitives
import Testing

@Suite struct CommandParserTests {
    @Test func simpleCommandsInAnyCase() throws {
        #expect(try parse("a1 CAPABILITY\r\n") == .capability)
        #expect(try parse("a1 noop\r\n") == .noop)
        #expect(try parse("a1 Logout\r\n") == .logout)
        #expect(try parse("a1 STARTTLS\r\n") == .starttls)
        #expect(try parse("a1 NAMESPACE\r\n") == .namespace)
        #expect(try parse("a1 IDLE\r\n") == .idle)
        #expect(try parse("a1 CHECK\r\n") == .check)
        #expect(try parse("a1 CLOSE\r\n") == .close)
        #expect(try parse("a1 UNSELECT\r\n") == .unselect)
        #expect(try parse("a1 EXPUNGE\n") == .expunge)
    }

    @Test func tagIsKept() throws {
        let tagged = try IMAPCommandParser().parse(ByteBuffer(string: "A0001.x] NOOP\r\n"))
        #expect(tagged.tag == "A0001.x]")
        #expect(tagged.command.name == "NOOP")
    }

    @Test func malformedLinesGiveBadWithTag() {
        #expect(parseError("a1 FOO\r\n") == IMAPParseError(tag: "a1", message: "Unknown command"))
        #expect(parseError("+a NOOP\r\n")?.tag == nil)
        #expect(parseError("\r\n")?.message == "Invalid tag")
        #expect(parseError("a1 NOOP extra\r\n")?.message == "Unexpected extra arguments")
        #expect(parseError("a1 SELECT\r\n")?.message == "Missing arguments")
        #expect(parseError("a1 LOGIN \"unterminated\r\n")?.message == "Invalid character in quoted string")
        #expect(parseError("a1 LOGIN {10}\r\nabc\r\n")?.message == "Literal shorter than announced")
        #expect(parseError("a1 FETCH 0 FLAGS\r\n") != nil)
        #expect(parseError("a1 FETCH 1:x FLAGS\r\n") != nil)
        #expect(parseError("a1 FETCH 99999999999 FLAGS\r\n")?.message == "Number too large")
    }

    @Test func loginWithAtomsQuotedAndLiterals() throws {
        #expect(
            try parse("a LOGIN fred \"pass \\\"word\\\\\"\r\n")
                == .login(LoginCredentials(username: "fred", password: "pass \"word\\")))
        #expect(try parse("a LOGIN {4}\r\nfr d {3+}\r\np w\r\n") == .login(LoginCredentials(username: "fr d", password: "p w")))
        #expect(!String(describing: LoginCredentials(username: "u", password: "secret")).contains("secret"))
        #expect(parseError("a LOGIN \"bad\\escape\" x\r\n")?.message == "Invalid escape in quoted string")
    }

    @Test func authenticateWithAndWithoutInitialResponse() throws {
        #expect(try parse("a AUTHENTICATE PLAIN\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(
            try parse("a AUTHENTICATE plain AGZyZWQAc2VjcmV0\r\n")
                == .authenticate(mechanism: "PLAIN", initialResponse: "AGZyZWQAc2VjcmV0"))
        #expect(try parse("a AUTHENTICATE PLAIN =\r\n") == .authenticate(mechanism: "PLAIN", initialResponse: "="))
        #expect(parseError("a AUTHENTICATE PLAIN ab!c\r\n") != nil)
    }

    @Test func idAndEnable() throws {
        #expect(try parse("a ID NIL\r\n") == .id(nil))
        #expect(
            try parse("a ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n")
                == .id([IDParameter(key: "name", value: "Thunderbird"), IDParameter(key: "version", value: nil)]))
        #expect(try parse("a ENABLE CONDSTORE qresync UTF8=ACCEPT\r\n") == .enable(["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"]))
        #expect(parseError("a ENABLE\r\n") != nil)
    }

    @Test func selectWithCondstoreAndQresync() throws {
        #expect(try parse("a SELECT inbox\r\n") == .select(mailbox: "INBOX", SelectParameters()))
        #expect(try parse("a EXAMINE \"Sent\" (CONDSTORE)\r\n") == .examine(mailbox: "Sent", SelectParameters(condstore: true)))
        // RFC 7162 §3.2.5.2 example.
        let command = try parse("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n")
        let expected = QResyncParameters(
            uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
            knownUIDs: .ranges([
                SequenceRange(.number(41)), SequenceRange(.number(43), .number(211)), SequenceRange(.number(214), .number(541))
            ]))
        #expect(command == .select(mailbox: "INBOX", SelectParameters(qresync: expected)))
        let withMatch = try parse("B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000 4964,7495,9000)))\r\n")
        guard case .select(_, let parameters) = withMatch else {
            Issue.record("not a SELECT")
            return
        }
        #expect(
            parameters.qresync?.knownSequenceMatch?.uids
                == .ranges([
                    SequenceRange(.number(4964)), SequenceRange(.number(7495)), SequenceRange(.number(9000))
                ]))
        #expect(parseError("a SELECT INBOX (FOO)\r\n")?.message == "Unknown SELECT parameter")
        #expect(parseError("a SELECT INBOX (QRESYNC (0 1))\r\n") != nil)
    }

    @Test func mailboxCommands() throws {
        #expect(try parse("a CREATE \"Sent Items\" (USE (\\Sent))\r\n") == .create(mailbox: "Sent Items", specialUse: ["\\Sent"]))
        #expect(try parse("a DELETE foo/bar\r\n") == .delete(mailbox: "foo/bar"))
        #expect(try parse("a RENAME a b\r\n") == .rename(from: "a", to: "b"))
        #expect(try parse("a SUBSCRIBE x\r\n") == .subscribe(mailbox: "x"))
        #expect(try parse("a UNSUBSCRIBE x\r\n") == .unsubscribe(mailbox: "x"))
        #expect(try parse("a LSUB \"\" %\r\n") == .lsub(reference: "", pattern: "%"))
        #expect(
            try parse("a STATUS blurdybloop (UIDNEXT MESSAGES size appendlimit)\r\n")
                == .status(mailbox: "blurdybloop", [.uidNext, .messages, .size, .appendLimit]))
        #expect(parseError("a STATUS x (FOO)\r\n")?.message == "Unknown STATUS item")
        #expect(parseError("a STATUS x ()\r\n")?.message == "Empty list")
    }

    @Test func mailboxNamesAreDecodedFromModifiedUTF7() throws {
        // RFC 3501 §5.1.3 example.
        #expect(
            try parse("a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n")
                == .select(mailbox: "~peter/mail/台北/日本語", SelectParameters()))
        #expect(try parse("a DELETE \"Tom &- Jerry\"\r\n") == .delete(mailbox: "Tom & Jerry"))
        #expect(try parse("a DELETE \"Entw\u{fc}rfe\"\r\n", utf8Accept: true) == .delete(mailbox: "Entwürfe"))
        #expect(try IMAPCommandParser().parse(ByteBuffer(string: "a DELETE x\r\n")).undecodableMailboxName == nil)
    }

    /// A name that is not valid mUTF-7 is valid syntax: the command parses and says why the name is unusable,
    /// for a NO (Dovecot's answer), never a BAD.
    @Test func undecodableMailboxNamesParse() throws {
        for line in [
            "a DELETE &Jjo!\r\n", "a DELETE \"Entw\u{fc}rfe\"\r\n", "a SELECT \"!#$&'+,-.0123456789:;<=>?@^_`|[}\"\r\n",
            "a RENAME x \"a&b\"\r\n", "a STATUS \"&-&\" (MESSAGES)\r\n", "a LSUB \"\" \"a&b\"\r\n"
        ] {
            let parsed = try IMAPCommandParser().parse(ByteBuffer(string: line))
            #expect(parsed.undecodableMailboxName == "Mailbox name is not valid mUTF-7.", "\(line)")
        }
        let utf8 = IMAPCommandParser(options: IMAPParserOptions(utf8Accept: true))
        #expect(
            try utf8.parse(ByteBuffer(bytes: Array("a DELETE \"x".utf8) + [0xFF] + Array("\"\r\n".utf8))).undecodableMailboxName
                == "Mailbox name is not valid UTF-8.")
        // LIST leaves such patterns (or all, for such a reference) out: they match nothing.
        let list = try IMAPCommandParser().parse(ByteBuffer(string: "a LIST \"\" (\"a&b\" INBOX)\r\n"))
        #expect(list.command == .list(ListCommand(reference: "", patterns: ["INBOX"])) && list.undecodableMailboxName == nil)
        #expect(try parse("a LIST \"a&b\" *\r\n") == .list(ListCommand(reference: "", patterns: [])))
        #expect(try parse("a LIST \"\" \"&Jjo\"\r\n") == .list(ListCommand(reference: "", patterns: [])))
        // NOTIFY: such a mailbox is left out of its group.
        guard case .notify(.set(_, let groups)) = try parse("a NOTIFY SET (MAILBOXES (\"a&b\" INBOX) (MessageNew MessageExpunge))\r\n") else {
            Issue.record("not NOTIFY SET")
            return
        }
        #expect(groups.first?.mailboxes == ["INBOX"])
    }

    @Test func listExtended() throws {
        #expect(try parse("a LIST \"\" *\r\n") == .list(ListCommand(reference: "", patterns: ["*"])))
        #expect(try parse("a LIST ~/Mail/ %/foo*\r\n") == .list(ListCommand(reference: "~/Mail/", patterns: ["%/foo*"])))
        // RFC 5258 and 5819 examples.
        #expect(
            try parse("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"%\" \"Sent/*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN) SPECIAL-USE)\r\n")
                == .list(
                    ListCommand(
                        selectionOptions: [.subscribed, .recursiveMatch], reference: "", patterns: ["%", "Sent/*"],
                        returnOptions: [.children, .status([.messages, .unseen]), .specialUse])))
        #expect(
            try parse("a LIST (SPECIAL-USE) \"\" *\r\n")
                == .list(ListCommand(selectionOptions: [.specialUse], reference: "", patterns: ["*"])))
        #expect(
            try parse("a LIST \"\" % RETURN (SUBSCRIBED)\r\n")
                == .list(ListCommand(reference: "", patterns: ["%"], returnOptions: [.subscribed])))
        #expect(parseError("a LIST (RECURSIVEMATCH) \"\" *\r\n") != nil)
        #expect(parseError("a LIST \"\" * FOO (X)\r\n")?.message == "Expected RETURN")
        // RFC 5258 §3: unknown selection and return options are BAD.
        #expect(parseError("a LIST (foo) \"\" \"\"\r\n")?.message == "Unknown LIST selection option FOO")
        #expect(parseError("a LIST (SUBSCRIBED foo) \"\" *\r\n") != nil)
        #expect(parseError("a LIST \"\" \"\" RETURN (foo)\r\n")?.message == "Unknown LIST return option FOO")
        #expect(parseError("a LIST \"\" % RETURN (CHILDREN foo)\r\n") != nil)
        #expect(
            try parse("a LIST (REMOTE) \"\" INBOX RETURN ()\r\n")
                == .list(ListCommand(selectionOptions: [.remote], reference: "", patterns: ["INBOX"])))
    }

    @Test func appendSingleMultiCatenateBinaryUTF8() throws {
        let line = "A003 APPEND saved-messages (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {9}\r\nSubject:x\r\n"
        guard case .append(let mailbox, let messages) = try parse(line) else {
            Issue.record("not APPEND")
            return
        }
        #expect(mailbox == "saved-messages")
        #expect(messages.count == 1)
        #expect(messages[0].flags == ["\\Seen"])
        let date = try #require(messages[0].internalDate)
        #expect(date.zoneMinutes == -420 && date.hour == 2 && date.date == CivilDate(year: 1996, month: 7, day: 17))
        #expect(date.secondsSinceEpoch == 837_596_665)
        #expect(messages[0].content == .literal(ByteBuffer(string: "Subject:x"), binary: false, utf8: false))

        // MULTIAPPEND (RFC 3502) with LITERAL+, a space-padded day and a binary literal.
        let multi = "a APPEND INBOX {2+}\r\nab (\\Draft) \" 7-Feb-2024 10:00:00 +0100\" ~{3}\r\nc\u{0}d\r\n"
        guard case .append(_, let several) = try parse(multi) else {
            Issue.record("not APPEND")
            return
        }
        #expect(several.count == 2)
        #expect(several[1].internalDate?.date.day == 7)
        #expect(several[1].content == .literal(ByteBuffer(bytes: [0x63, 0, 0x64]), binary: true, utf8: false))

        // CATENATE (RFC 4469 example shape) and UTF8 (RFC 6855).
        let cat = "a APPEND Drafts CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {4}\r\nbody)\r\n"
        guard case .append(_, let parts) = try parse(cat) else {
            Issue.record("not APPEND")
            return
        }
        #expect(
            parts[0].content
                == .catenate([
                    .url("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER"), .text(ByteBuffer(string: "body"), binary: false)
                ]))
        guard case .append(_, let utf8) = try parse("a APPEND INBOX UTF8 (~{2}\r\nhi)\r\n") else {
            Issue.record("not APPEND")
            return
        }
        #expect(utf8[0].content == .literal(ByteBuffer(string: "hi"), binary: true, utf8: true))

        #expect(parseError("a APPEND INBOX\r\n") != nil)
        // Valid syntax, no real date: parsed (the session then takes the arrival time, as Dovecot does).
        guard case .append(_, let dated) = try parse("a APPEND INBOX \"31-Feb-2024 10:00:00 +0100\" {1}\r\nx\r\n") else {
            Issue.record("not APPEND")
            return
        }
        #expect(dated[0].internalDate?.date.isValid == false && dated[0].internalDate?.isValid == false)
        guard case .append(_, let timed) = try parse("a APPEND INBOX \"01-Feb-2024 25:61:00 +0099\" {1}\r\nx\r\n") else {
            Issue.record("not APPEND")
            return
        }
        #expect(timed[0].internalDate?.isValid == false && timed[0].internalDate?.zoneMinutes == 99)
        #expect(parseError("a APPEND INBOX (\\Seen) \"x\"\r\n") != nil)
    }

    @Test func fetchAttributesAndMacros() throws {
        #expect(
            try parse("a FETCH 1:* ALL\r\n")
                == .fetch(
                    .ranges([SequenceRange(.number(1), .last)]), FetchAttribute.all,
                    FetchModifiers(), uid: false))
        #expect(
            try parse("a UID FETCH 1:* (FLAGS UID)\r\n")
                == .fetch(.ranges([SequenceRange(.number(1), .last)]), [.flags, .uid], FetchModifiers(), uid: true))
        let line =
            "a FETCH 2:4,7 (BODY[] BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100> BODY[1.2.MIME] BODY[3.TEXT] "
            + "BODY[1] BINARY.PEEK[1.2]<5.10> BINARY.SIZE[] BODY BODYSTRUCTURE RFC822.SIZE ENVELOPE INTERNALDATE MODSEQ "
            + "SAVEDATE PREVIEW (LAZY) EMAILID RFC822.HEADER BODY[HEADER.FIELDS.NOT (X)])\r\n"
        guard case .fetch(let set, let attributes, _, false) = try parse(line) else {
            Issue.record("not FETCH")
            return
        }
        #expect(set == .ranges([SequenceRange(.number(2), .number(4)), SequenceRange(.number(7))]))
        #expect(
            attributes == [
                .bodySection(SectionSpec(), partial: nil, peek: false),
                .bodySection(SectionSpec(kind: .headerFields(["From", "To"])), partial: PartialRange(offset: 0, count: 100), peek: true),
                .bodySection(SectionSpec(part: [1, 2], kind: .mime), partial: nil, peek: false),
                .bodySection(SectionSpec(part: [3], kind: .text), partial: nil, peek: false),
                .bodySection(SectionSpec(part: [1]), partial: nil, peek: false),
                .binary(part: [1, 2], partial: PartialRange(offset: 5, count: 10), peek: true),
                .binarySize(part: []),
                .bodyStructure(extensible: false), .bodyStructure(extensible: true), .rfc822Size, .envelope, .internalDate,
                .modSeq, .saveDate, .preview(lazy: true), .emailID, .rfc822Header,
                .bodySection(SectionSpec(kind: .headerFieldsNot(["X"])), partial: nil, peek: false)
            ])
        #expect(
            try parse("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n")
                == .fetch(.ranges([SequenceRange(.number(1), .last)]), [.flags], FetchModifiers(changedSince: 12345, vanished: true), uid: true))
        #expect(try parse("a FETCH $ FAST\r\n") == .fetch(.lastSearchResult, FetchAttribute.fast, FetchModifiers(), uid: false))
        #expect(parseError("a FETCH 1 (BODY[MIME])\r\n")?.message == "MIME needs a part number")
        #expect(parseError("a FETCH 1 BODY[]<0.0>\r\n") != nil)
        #expect(parseError("a FETCH 1 BODY.PEEK\r\n")?.message == "BODY.PEEK needs a section")
        #expect(parseError("a FETCH 1 (FLAGS) (VANISHED)\r\n")?.message == "VANISHED needs CHANGEDSINCE")
        #expect(parseError("a FETCH 1 (FLAGS FOO)\r\n")?.message == "Unknown fetch attribute")
        #expect(parseError("a FETCH 1 ()\r\n")?.message == "Empty list")
    }

    @Test func storeVariants() throws {
        #expect(
            try parse("A003 STORE 2:4 +FLAGS (\\Deleted)\r\n")
                == .store(
                    .ranges([SequenceRange(.number(2), .number(4))]), StoreOperation(mode: .add, silent: false, flags: ["\\Deleted"]),
                    unchangedSince: nil, uid: false))
        #expect(
            try parse("a UID STORE 1 -flags.silent \\Seen $Junk\r\n")
                == .store(
                    .ranges([SequenceRange(.number(1))]), StoreOperation(mode: .remove, silent: true, flags: ["\\Seen", "$Junk"]),
                    unchangedSince: nil, uid: true))
        #expect(
            try parse("a STORE 1 (UNCHANGEDSINCE 320162338) FLAGS ()\r\n")
                == .store(
                    .ranges([SequenceRange(.number(1))]), StoreOperation(mode: .replace, silent: false, flags: []),
                    unchangedSince: 320_162_338, uid: false))
        #expect(parseError("a STORE 1 FLAGZ (\\Seen)\r\n")?.message == "Expected FLAGS, +FLAGS or -FLAGS")
    }

    @Test func copyMoveExpunge() throws {
        #expect(try parse("a COPY 2:4 MEETING\r\n") == .copy(.ranges([SequenceRange(.number(2), .number(4))]), mailbox: "MEETING", uid: false))
        #expect(try parse("a UID MOVE 42 Trash\r\n") == .move(.ranges([SequenceRange(.number(42))]), mailbox: "Trash", uid: true))
        #expect(try parse("a UID EXPUNGE 3000:3002\r\n") == .uidExpunge(.ranges([SequenceRange(.number(3000), .number(3002))])))
        #expect(parseError("a UID NOOP\r\n")?.message == "Unknown UID command")
    }

    @Test func quotaCompressNotifyMetadata() throws {
        #expect(try parse("a GETQUOTA \"\"\r\n") == .getQuota(root: ""))
        #expect(try parse("a GETQUOTAROOT INBOX\r\n") == .getQuotaRoot(mailbox: "INBOX"))
        #expect(
            try parse("a SETQUOTA \"\" (STORAGE 512 MESSAGE 1000)\r\n")
                == .setQuota(root: "", [QuotaLimit(resource: "STORAGE", limit: 512), QuotaLimit(resource: "MESSAGE", limit: 1000)]))
        #expect(try parse("a COMPRESS DEFLATE\r\n") == .compress(mechanism: "DEFLATE"))
        #expect(try parse("a CANCELUPDATE \"A02\" \"A03\"\r\n") == .cancelUpdate(tags: ["A02", "A03"]))
        #expect(
            try parse("a FETCH 1 (SNIPPET (FUZZY) FLAGS)\r\n")
                == .fetch(.ranges([SequenceRange(.number(1))]), [.fuzzyPreview(.snippet, lazy: false), .flags], FetchModifiers(), uid: false))
        #expect(try parse("a NOTIFY NONE\r\n") == .notify(.none))
        // RFC 5465 §8 example.
        let notify =
            "A1 NOTIFY SET STATUS (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) "
            + "(subtree Lists MailboxName) (mailboxes (a b) NONE)\r\n"
        guard case .notify(.set(let status, let groups)) = try parse(notify) else {
            Issue.record("not NOTIFY")
            return
        }
        #expect(status)
        #expect(groups.count == 3)
        #expect(groups[0].events == ["MESSAGENEW", "MESSAGEEXPUNGE"])
        #expect(groups[0].messageNewFetch.count == 2)
        #expect(groups[1] == NotifyEventGroup(filter: "SUBTREE", mailboxes: ["Lists"], events: ["MAILBOXNAME"]))
        #expect(groups[2].mailboxes == ["a", "b"] && groups[2].events.isEmpty)
        #expect(parseError("a NOTIFY SET\r\n") != nil)
        #expect(
            try parse("a GETMETADATA (DEPTH infinity MAXSIZE 1024) INBOX (/private/comment /shared/comment)\r\n")
                == .getMetadata(
                    mailbox: "INBOX", options: MetadataOptions(maxSize: 1024, depth: nil),
                    entries: ["/private/comment", "/shared/comment"]))
        #expect(
            try parse("a SETMETADATA INBOX (/private/comment {3}\r\nhi! /shared/x NIL)\r\n")
                == .setMetadata(
                    mailbox: "INBOX",
                    [
                        MetadataEntry(name: "/private/comment", value: ByteBuffer(string: "hi!")),
                        MetadataEntry(name: "/shared/x", value: nil)
                    ]))
    }

    @Test func nestingLimitStopsDeepInput() {
        let deep = "a SEARCH " + String(repeating: "(", count: 40) + "ALL" + String(repeating: ")", count: 40) + "\r\n"
        #expect(parseError(deep)?.message == "Too deeply nested parentheses")
        let nots = "a SEARCH " + String(repeating: "NOT ", count: 100) + "ALL\r\n"
        #expect(parseError(nots)?.message == "Too deeply nested search keys")
    }

    @Test func garbageNeverTraps() {
        // Every prefix of a rich command, and some byte noise, must end in a result or an error, never a crash.
        let rich = "a UID FETCH 1:*,$ (BODY.PEEK[1.2.HEADER.FIELDS (A B)]<1.2> BINARY[1] PREVIEW (LAZY)) (CHANGEDSINCE 5)\r\n"
        for length in 0...rich.utf8.count {
            _ = parseError(String(decoding: Array(rich.utf8.prefix(length)), as: UTF8.self))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let noise = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? IMAPCommandParser().parse(ByteBuffer(bytes: Array("a ".utf8) + noise))
        }
    }
}
