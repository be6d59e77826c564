import IMAPProtocol
import Primitives
import Testing

@Suite struct SearchParserTests {
    private func search(_ arguments: String) throws -> SearchCommand {
        guard case .search(let command, _) = try parse("a SEARCH \(arguments)\r\n") else { throw IMAPParseError(message: "not SEARCH") }
        return command
    }

    @Test func rfc3501Examples() throws {
        #expect(
            try search("FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"").key
                == .and([.flagged, .since(CivilDate(year: 1994, month: 2, day: 1)), .not(.from("Smith"))]))
        #expect(try search("TEXT \"string not in mailbox\"").key == .text("string not in mailbox"))
        #expect(try search("CHARSET UTF-8 TEXT {6}\r\nXXXXXX") == SearchCommand(charset: "UTF-8", key: .text("XXXXXX")))
        #expect(try search("OR (FROM a TO b) UNSEEN").key == .or(.and([.from("a"), .to("b")]), .unseen))
    }

    @Test func everyKey() throws {
        let line =
            "ALL ANSWERED BCC x BEFORE \"2-Mar-2020\" BODY y CC z DELETED DRAFT FLAGGED FROM f HEADER X-Spam yes "
            + "KEYWORD $Junk LARGER 100 NEW OLD ON 3-Apr-2021 RECENT SEEN SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 "
            + "SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 SMALLER 5 SUBJECT s TEXT t TO u UID 1:5 UNANSWERED UNDELETED "
            + "UNDRAFT UNFLAGGED UNKEYWORD foo UNSEEN 1,3:* $ OLDER 3600 YOUNGER 60 SAVEDBEFORE 1-Jan-2020 SAVEDON 1-Jan-2020 "
            + "SAVEDSINCE 1-Jan-2020 SAVEDATESUPPORTED MODSEQ 620162338 MODSEQ \"/flags/\\\\draft\" all 620162338 EMAILID M1 THREADID T1"
        guard case .and(let keys) = try search(line).key else {
            Issue.record("not a list")
            return
        }
        let day = CivilDate(year: 2000, month: 1, day: 1)
        let saved = CivilDate(year: 2020, month: 1, day: 1)
        #expect(
            keys == [
                .all, .answered, .bcc("x"), .before(CivilDate(year: 2020, month: 3, day: 2)), .body("y"), .cc("z"), .deleted, .draft,
                .flagged, .from("f"), .header(name: "X-Spam", value: "yes"), .keyword("$Junk"), .larger(100), .new, .old,
                .on(CivilDate(year: 2021, month: 4, day: 3)), .recent, .seen, .sentBefore(day), .sentOn(day), .sentSince(day),
                .since(day), .smaller(5), .subject("s"), .text("t"), .to("u"), .uid(.ranges([SequenceRange(.number(1), .number(5))])),
                .unanswered, .undeleted, .undraft, .unflagged, .unkeyword("foo"), .unseen,
                .sequence(.ranges([SequenceRange(.number(1)), SequenceRange(.number(3), .last)])), .sequence(.lastSearchResult),
                .older(3600), .younger(60), .savedBefore(saved), .savedOn(saved), .savedSince(saved), .saveDateSupported,
                .modSeq(620_162_338, entry: nil), .modSeq(620_162_338, entry: ModSeqEntry(name: "/flags/\\draft", type: "all")),
                .emailID("M1"), .threadID("T1")
            ])
    }

    @Test func contextReturnOptions() throws {
        // RFC 5267 §4.4: PARTIAL takes a range in either order; §4.2/§4.3 CONTEXT and UPDATE are bare words.
        #expect(
            try search("RETURN (PARTIAL 500:1 CONTEXT) UNDELETED")
                == SearchCommand(returnOptions: [.partial, .context], key: .undeleted, partial: 1...500))
        #expect(try search("RETURN (UPDATE COUNT) DELETED") == SearchCommand(returnOptions: [.update, .count], key: .deleted))
        guard case .sort(let sort, true) = try parse("a UID SORT RETURN (PARTIAL 1:10) (DATE) UTF-8 ALL\r\n") else {
            Issue.record("not UID SORT")
            return
        }
        #expect(sort.partial == 1...10)
        // RFC 5465 §7's example: FETCH attributes inside UPDATE.
        let notified = try search("RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER.FIELDS (TO FROM SUBJECT)])) FROM \"boss\"")
        #expect(notified.returnOptions == [.count, .update] && notified.updateFetch.count == 2 && notified.key == .from("boss"))
        for bad in ["RETURN (PARTIAL 0:5) ALL", "RETURN (PARTIAL 1:*) ALL", "RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL", "RETURN (PARTIAL) ALL"] {
            #expect(throws: IMAPParseError.self) { try search(bad) }
        }
    }

    @Test func returnOptions() throws {
        #expect(try search("RETURN (MIN MAX COUNT) UNSEEN") == SearchCommand(returnOptions: [.min, .max, .count], key: .unseen))
        #expect(try search("RETURN () ALL") == SearchCommand(returnOptions: [], key: .all))
        #expect(
            try search("RETURN (SAVE) CHARSET US-ASCII DELETED")
                == SearchCommand(returnOptions: [.save], charset: "US-ASCII", key: .deleted))
        #expect(parseError("a SEARCH RETURN (BOGUS) ALL\r\n")?.message == "Unknown RETURN option")
    }

    @Test func malformedSearches() throws {
        #expect(parseError("a SEARCH\r\n")?.message == "Missing arguments")
        #expect(parseError("a SEARCH FOO\r\n")?.message == "Unknown search key")
        // A day the month does not have is valid syntax (date-day is 1*2DIGIT): no BAD, as in Dovecot.
        #expect(try search("SINCE 30-Feb-2020") == SearchCommand(key: .since(CivilDate(year: 2020, month: 2, day: 30))))
        #expect(parseError("a SEARCH SINCE -Feb-2020\r\n")?.message == "Invalid date")
        #expect(parseError("a SEARCH SINCE 1-Foo-2020\r\n")?.message == "Invalid month in date")
        #expect(parseError("a SEARCH OR ALL\r\n") != nil)
        #expect(parseError("a SEARCH OLDER 0\r\n") != nil)
        #expect(parseError("a SEARCH MODSEQ \"/x\" bogus 5\r\n")?.message == "Invalid MODSEQ entry type")
    }

    @Test func sortAndThread() throws {
        // RFC 5256 examples.
        #expect(
            try parse("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n")
                == .sort(
                    SortCommand(
                        criteria: [SortCriterion(.subject)], charset: "UTF-8", key: .since(CivilDate(year: 1994, month: 2, day: 1))), uid: false))
        #expect(
            try parse("a UID SORT RETURN (MIN COUNT) (REVERSE DATE DISPLAYFROM displayto) utf-8 ALL\r\n")
                == .sort(
                    SortCommand(
                        returnOptions: [.min, .count], criteria: [SortCriterion(.date, reverse: true), SortCriterion(.displayFrom), SortCriterion(.displayTo)],
                        charset: "utf-8", key: .all), uid: true))
        #expect(
            try parse("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n")
                == .thread(
                    ThreadCommand(
                        algorithm: .orderedSubject, charset: "UTF-8", key: .since(CivilDate(year: 2000, month: 3, day: 5))), uid: false))
        #expect(try parse("a UID THREAD REFS UTF-8 ALL\r\n") == .thread(ThreadCommand(algorithm: .refs, charset: "UTF-8", key: .all), uid: true))
        #expect(parseError("a SORT (BOGUS) UTF-8 ALL\r\n")?.message == "Unknown sort criterion")
        #expect(parseError("a THREAD X UTF-8 ALL\r\n")?.message == "Unknown thread algorithm")
        #expect(parseError("a SORT () UTF-8 ALL\r\n")?.message == "Empty list")
    }
}
