import Foundation
import MIME
import MailModel
import Primitives
import Testing

@testable import MetaCache
@testable import ObjectMail

@Suite struct SortThreadTests {
    /// uid: (from, subject, message-id, references) with dates one hour apart in uid order.
    static let corpus: [(String, String, String, String)] = [
        ("Alice <alice@example.com>", "Hello", "a@x", ""),
        ("bob@example.com", "Re: Hello", "b@x", "<a@x>"),
        ("Carol <carol@example.com>", "RE: [list] Re: hello", "c@x", "<a@x> <b@x>"),
        ("dave@example.com", "Other", "d@x", ""),
        ("erin@example.com", "Re: Other (fwd)", "e@x", "<d@x>"),
        ("Frank <frank@example.com>", "hello", "f@x", ""),
        ("grace@example.com", "Re: Lost parent", "g@x", "<missing@x>"),
        ("heidi@example.com", "Re: Lost parent", "h@x", "<missing@x>")
    ]

    func setUp() async throws -> (MailUser, Mailbox) {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("threads")
        let inbox = try await user.mailbox("INBOX")
        var messages: [IncomingMessage] = []
        for (n, (from, subject, id, references)) in Self.corpus.enumerated() {
            let date = Date(timeIntervalSince1970: 1_790_000_000 + TimeInterval(n) * 3600)
            let header =
                "From: \(from)\r\nTo: x@example.com\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n"
                + (references.isEmpty ? "" : "References: \(references)\r\n")
                + "Date: \(Self.rfc5322(date))\r\n\r\n" + String(repeating: "b", count: (n * 37) % 100) + "\r\n"
            messages.append(IncomingMessage(bytes: Array(header.utf8), internalDate: date.addingTimeInterval(TimeInterval(-n * 7200))))
        }
        _ = try await user.saveMessages(messages, to: inbox)
        return (user, inbox)
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    @Test func baseSubjects() {
        #expect(BaseSubject.extract("Re: [list] Fwd: Hello  World (fwd)").subject == "HELLO WORLD")
        #expect(BaseSubject.extract("Re: [list] Fwd: Hello  World (fwd)").isReplyOrForward)
        #expect(BaseSubject.extract("[fwd: Meeting]").subject == "MEETING")
        #expect(BaseSubject.extract("[PATCH] fix") == ("FIX", false))
        #expect(BaseSubject.extract("[only]").subject == "[ONLY]")
        #expect(BaseSubject.extract("Re[2]: x").subject == "X")
        #expect(!BaseSubject.extract("Regarding: x").isReplyOrForward)
    }

    /// Base subjects as Dovecot 2.3 sorts them (RFC 5256 §2.1 steps, titlecased), checked against its SORT.
    @Test func baseSubjectsLikeDovecot() {
        let cases: [(String, String, Bool)] = [
            ("RE: Re: Fwd: hello", "HELLO", true), ("[list] Re: hello", "HELLO", true), ("[Fwd: hello]", "HELLO", true),
            ("  hello   world  ", "HELLO WORLD", false), ("hello\r\n\tworld", "HELLO WORLD", false),
            ("Re: [blob1][blob2] foo", "FOO", true), ("re : foo", "FOO", true), ("Re: (fwd)", "", true),
            ("[a] [b] Re: [c] foo", "FOO", true), ("Re: [list]", "[LIST]", true), ("Re: [a]: b", ": B", true),
            ("[x]Re: [y]", "[Y]", true), ("Re\t: tab", "TAB", true), ("Fwdd: not", "FWDD: NOT", false),
            ("[unterminated blob", "[UNTERMINATED BLOB", false), ("re:hello(fwd)", "HELLO", true), ("_under", "_UNDER", false)
        ]
        for (raw, subject, marked) in cases {
            let result = BaseSubject.extract(raw)
            #expect(result.subject == subject && result.isReplyOrForward == marked, "\(raw)")
        }
        // Titlecase, compared by octets: "_" sorts after letters, as in Dovecot; "é" decomposes after "E".
        #expect(UnicodeCasemap.titlecaseKey("\u{e9}t\u{e9}") == "E\u{301}TE\u{301}")
    }

    /// RFC 5256 CC/FROM/TO and RFC 5957 DISPLAYFROM/DISPLAYTO keys of awkward fields, as Dovecot reads them.
    @Test func addressKeysLikeDovecot() {
        func first(_ field: String) -> Address? { SortKeys.firstAddress(Array(field.utf8)) }
        #expect(SortKeys.mailbox(first("undisclosed-recipients:;")) == "UNDISCLOSED-RECIPIENTS")
        #expect(SortKeys.mailbox(first("Bob <BOB@example.com>, alice@example.com")) == "BOB")
        #expect(SortKeys.mailbox(first("x <>")) == "MISSING_MAILBOX")
        #expect(SortKeys.mailbox(nil) == "")
        #expect(SortKeys.display(first("c@example.com (Comment Name)")) == "COMMENT NAME")
        #expect(SortKeys.display(first("(Comment Name) c@example.com")) == "C@EXAMPLE.COM")
        #expect(SortKeys.display(first("=?utf-8?q?=C3=89mile?= <aa@example.com>")) == "E\u{301}MILE")
        #expect(SortKeys.display(first("\"\" <empty@example.com>")) == "EMPTY@EXAMPLE.COM")
        #expect(SortKeys.display(first("group: carl@example.com;")) == "GROUP")
    }

    @Test func sortCriteria() async throws {
        let (user, inbox) = try await setUp()
        let all = Array(UInt32(1)...8)
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.date, reverse: true)]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.arrival)]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.subject), SortCriterion(.date)]) == [1, 2, 3, 6, 7, 8, 4, 5])
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.from)]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try await user.sort([1, 2, 3, 6], in: inbox, by: [SortCriterion(.displayFrom)]) == [1, 2, 3, 6])
        #expect(try await user.sort([2, 6], in: inbox, by: [SortCriterion(.displayFrom)]) == [2, 6])
        let bySize = try await user.sort(all, in: inbox, by: [SortCriterion(.size, reverse: true)])
        let sizes = Dictionary(uniqueKeysWithValues: try await user.messages(.all, in: inbox).map { ($0.uid, $0.virtualSize) })
        #expect(Set(bySize) == Set(all))
        #expect(zip(bySize, bySize.dropFirst()).allSatisfy { sizes[$0]! >= sizes[$1]! })
    }

    @Test func threadByReferences() async throws {
        let (user, inbox) = try await setUp()
        let threads = try await user.thread(Array(1...8), in: inbox, algorithm: .references)
        #expect(
            threads == [
                ThreadNode(
                    uid: nil,
                    children: [
                        ThreadNode(uid: 1, children: [ThreadNode(uid: 2, children: [ThreadNode(uid: 3)])]),
                        ThreadNode(uid: 6)
                    ]),
                ThreadNode(uid: 4, children: [ThreadNode(uid: 5)]),
                ThreadNode(uid: nil, children: [ThreadNode(uid: 7), ThreadNode(uid: 8)])
            ])
    }

    @Test func threadByRefsAndOrderedSubject() async throws {
        let (user, inbox) = try await setUp()
        let refs = try await user.thread(Array(1...8), in: inbox, algorithm: .refs)
        #expect(refs.map { $0.uid } == [1, 4, 6, nil])
        let ordered = try await user.thread(Array(1...8), in: inbox, algorithm: .orderedSubject)
        #expect(
            ordered == [
                ThreadNode(uid: 1, children: [ThreadNode(uid: 2), ThreadNode(uid: 3), ThreadNode(uid: 6)]),
                ThreadNode(uid: 4, children: [ThreadNode(uid: 5)]),
                ThreadNode(uid: 7, children: [ThreadNode(uid: 8)])
            ])
    }
}

/// Sort keys are computed at delivery and stored in the index row; rows without them are computed
/// from the cached fields and stored then. Either way SORT must see the same keys.
@Suite struct StoredSortKeyTests {
    static func storedKeys(_ user: MailUser, _ mailbox: Mailbox) async throws -> [UInt32: SortKeys?] {
        let rows = try await user.index.sortRows(UIDSet(ranges: [1...UInt32.max]), in: mailbox.id.value, keyVersion: SortKeys.formatVersion)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.uid, $0.sortKeys.flatMap(SortKeys.init(serialized:))) })
    }

    @Test func deliveryStoresTheKeysTheCachedFieldsGive() async throws {
        let (user, inbox) = try await SortThreadTests().setUp()
        let stored = try await Self.storedKeys(user, inbox)
        #expect(stored.count == 8)
        for row in try await user.messages(.all, in: inbox) {
            let computed = SortKeys(cached: try CachedMessageFields(serialized: Array(row.cachedFields)), internalDate: row.internalDate)
            #expect(stored[row.uid] == computed)
        }
        #expect(stored[2]??.references == ["a@x"] && stored[2]??.isReplyOrForward == true && stored[2]??.baseSubject == "HELLO")
    }

    @Test func rowsWithoutKeysSortTheSameAndGetThemStored() async throws {
        let (user, inbox) = try await SortThreadTests().setUp()
        let expected = try await Self.storedKeys(user, inbox)
        try await user.index.write { db in try db.execute(sql: "UPDATE message SET sortKeys = NULL") }
        #expect(try await Self.storedKeys(user, inbox).values.allSatisfy { $0 == nil })
        let all = Array(UInt32(1)...8)
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.subject), SortCriterion(.date)]) == [1, 2, 3, 6, 7, 8, 4, 5])
        #expect(try await Self.storedKeys(user, inbox) == expected)
    }

    /// Keys stored by an older build (another format version) are recomputed from the cached fields and
    /// stored again, so mail delivered before a change to what the keys mean sorts like new mail.
    @Test func keysOfAnOlderFormatAreRecomputed() async throws {
        let (user, inbox) = try await SortThreadTests().setUp()
        let expected = try await Self.storedKeys(user, inbox)
        let old = Data([SortKeys.formatVersion - 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        try await user.index.write { db in try db.execute(sql: "UPDATE message SET sortKeys = ?", arguments: [old]) }
        #expect(try await Self.storedKeys(user, inbox).values.allSatisfy { $0 == nil })
        let all = Array(UInt32(1)...8)
        #expect(try await user.sort(all, in: inbox, by: [SortCriterion(.subject), SortCriterion(.date)]) == [1, 2, 3, 6, 7, 8, 4, 5])
        #expect(try await Self.storedKeys(user, inbox) == expected)
    }

    @Test func copyAndMoveCarryTheKeys() async throws {
        let (user, inbox) = try await SortThreadTests().setUp()
        let archive = try await user.createMailbox("Archive")
        let source = try await Self.storedKeys(user, inbox)
        _ = try await user.copyMessages(UIDSet(ranges: [1...3]), from: inbox, to: archive)
        _ = try await user.moveMessages(UIDSet(ranges: [4...4]), from: inbox, to: archive)
        let copied = try await Self.storedKeys(user, archive)
        #expect(copied.count == 4)
        for uid in UInt32(1)...4 { #expect(copied[uid] != nil && copied[uid]! != nil && copied[uid] == source[uid]) }
    }

    @Test func theStoredFormRoundTripsAndRejectsWhatItDidNotWrite() throws {
        var keys = SortKeys(cached: nil, internalDate: -86_400 * 400)
        #expect(keys.sentDate == -86_400 * 400 && keys.messageID == nil && keys.references.isEmpty)
        #expect(SortKeys(serialized: keys.serialized()) == keys)
        keys.baseSubject = "grüße – 日本語"
        keys.messageID = "id@x"
        keys.references = ["a@x", "b@x"]
        keys.isReplyOrForward = true
        keys.sentDate = 1_790_000_000
        let bytes = keys.serialized()
        #expect(SortKeys(serialized: bytes) == keys)
        #expect(SortKeys(serialized: Array(bytes.dropLast())) == nil)
        #expect(SortKeys(serialized: bytes + [0]) == nil)
        #expect(SortKeys(serialized: [SortKeys.formatVersion + 1] + bytes.dropFirst()) == nil)
        #expect(SortKeys(serialized: []) == nil)
    }
}

/// Sort keys are stored in the index beside the cached fields: their bytes must not change unnoticed.
@Suite struct SortKeysStoredFormatTests {
    @Test func keepTheirBytes() throws {
        let fields = MIMEMessage.parse(
            Array(
                ("From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: Re: Hi\r\n"
                    + "Date: Sun, 22 Nov 2026 04:10:00 +0100\r\nMessage-ID: <m1@example.com>\r\nReferences: <a@x> <b@x>\r\n\r\nhello\r\n").utf8)
        ).cachedFields()
        let keys = SortKeys(cached: fields, internalDate: 1_000)
        let stored =
            "020390f492b00d02484903414e4e03424f420003414e4e0f424f42404558414d504c452e434f4d0e6d31406578616d706c652e636f6d"
            + "020361407803624078"
        #expect(Hex.encode(keys.serialized()) == stored)
        #expect(SortKeys(serialized: try #require(Hex.decode(stored))) == keys)
    }
}
