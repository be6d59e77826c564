import Foundation
import MailModel
import MetaCache
import Primitives
import Testing

@testable import ObjectMail

@Suite struct MailUserSearchTests {
    static func mail(from: String, to: String, subject: String, date: String, body: String, extra: String = "") -> [UInt8] {
        Array("From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: \(date)\r\n\(extra)\r\n\(body)\r\n".utf8)
    }

    func setUp() async throws -> (MailUser, Mailbox) {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("grace")
        let inbox = try await user.mailbox("INBOX")
        let day = { (d: Int) in Date(timeIntervalSince1970: 1_790_000_000 + TimeInterval(d) * 86_400) }
        _ = try await user.saveMessages(
            [
                IncomingMessage(
                    bytes: Self.mail(
                        from: "Alice <alice@example.com>", to: "grace@example.com",
                        subject: "=?UTF-8?Q?R=C3=A9union?= plans", date: "Mon, 2 Nov 2026 23:30:00 -0800",
                        body: "Let us meet in the Grand Café."), flags: [.seen], internalDate: day(0)),
                IncomingMessage(
                    bytes: Self.mail(
                        from: "bob@example.org", to: "grace@example.com", subject: "Invoice 42",
                        date: "Tue, 3 Nov 2026 09:00:00 +0000", body: String(repeating: "x", count: 5000),
                        extra: "Bcc: hidden@example.net\r\nX-Priority: 1\r\n"),
                    flags: [.flagged], keywords: ["$Work"], internalDate: day(1)),
                IncomingMessage(
                    bytes: Self.mail(
                        from: "carol@example.com", to: "team@example.com", subject: "lunch?",
                        date: "Wed, 4 Nov 2026 12:00:00 +0100", body: "Pizza at noon"), internalDate: day(2))
            ], to: inbox)
        return (user, inbox)
    }

    @Test func indexOnlyKeys() async throws {
        let (user, inbox) = try await setUp()
        let utc = TimeZone(identifier: "UTC")!
        func search(_ query: SearchQuery) async throws -> [UInt32] { try await user.search(query, in: inbox, timeZone: utc) }
        #expect(try await search(.all) == [1, 2, 3])
        #expect(try await search(.flags([.seen], set: true)) == [1])
        #expect(try await search(.flags([.seen], set: false)) == [2, 3])
        #expect(try await search(.keyword("$work", set: true)) == [2])
        #expect(try await search(.larger(1000)) == [2])
        #expect(try await search(.smaller(1000)) == [1, 3])
        #expect(try await search(.header(name: "From", contains: "ALICE")) == [1])
        #expect(try await search(.header(name: "subject", contains: "réunion")) == [1])
        #expect(try await search(.header(name: "To", contains: "")) == [1, 2, 3])
        #expect(try await search(.or(.uids(UIDSet([1])), .flags([.flagged], set: true))) == [1, 2])
        #expect(try await search(.not(.uids(UIDSet([2])))) == [1, 3])
        // 1_790_000_000 is 2026-09-21 (UTC); internal dates are one day apart.
        #expect(try await search(.internalDate(DayComparison(.on, CivilDate(year: 2026, month: 9, day: 22)))) == [2])
        #expect(try await search(.internalDate(DayComparison(.before, CivilDate(year: 2026, month: 9, day: 22)))) == [1])
        #expect(try await search(.internalDate(DayComparison(.since, CivilDate(year: 2026, month: 9, day: 22)))) == [2, 3])
        // SENTON uses the Date: header's own day: 2 Nov 23:30 -0800 is 2 Nov there, 3 Nov in UTC.
        #expect(try await search(.sentDate(DayComparison(.on, CivilDate(year: 2026, month: 11, day: 2)))) == [1])
        #expect(try await search(.modSeqAtLeast(3)) == [])
    }

    @Test func bodyKeysFetchTheBody() async throws {
        let (user, inbox) = try await setUp()
        #expect(try await user.search(.body("grand CAFÉ"), in: inbox) == [1])
        #expect(try await user.search(.text("pizza"), in: inbox) == [3])
        #expect(try await user.search(.text("Invoice"), in: inbox) == [2])
        #expect(try await user.search(.header(name: "Bcc", contains: "hidden"), in: inbox) == [2])
        #expect(try await user.search(.header(name: "X-Priority", contains: ""), in: inbox) == [2])
        #expect(try await user.search(.and([.flags([.seen], set: false), .body("noon")]), in: inbox) == [3])
        #expect(try await user.search(.not(.body("pizza")), in: inbox) == [1, 2])
    }

    /// Header searches keep the folded values of the mailbox they read (`HeaderSearchCache`): a later search
    /// must still see messages added and removed since, and another mailbox with the same UIDs its own mail.
    @Test func headerSearchesFollowTheMailboxAcrossChanges() async throws {
        let (user, inbox) = try await setUp()
        func search(_ query: SearchQuery, in mailbox: Mailbox) async throws -> [UInt32] { try await user.search(query, in: mailbox) }
        let plans = SearchQuery.header(name: "SUBJECT", contains: "PLANS")
        #expect(try await search(plans, in: inbox) == [1])
        #expect(try await search(.header(name: "subject", contains: "RÉUNION"), in: inbox) == [1])
        #expect(try await search(.and([.header(name: "From", contains: "example.com"), .flags([.seen], set: false)]), in: inbox) == [3])
        #expect(try await search(.or(.header(name: "to", contains: "team"), .header(name: "subject", contains: "invoice")), in: inbox) == [2, 3])
        #expect(try await search(.not(.header(name: "cc", contains: "")), in: inbox) == [1, 2, 3])

        _ = try await user.saveMessages(
            [
                IncomingMessage(
                    bytes: Self.mail(
                        from: "dave@example.com", to: "grace@example.com",
                        subject: "=?ISO-8859-1?Q?Pl=E4ne?= and plans", date: "Thu, 5 Nov 2026 08:00:00 +0000",
                        body: "see you"))
            ], to: inbox)
        #expect(try await search(plans, in: inbox) == [1, 4])
        #expect(try await search(.header(name: "Subject", contains: "PLÄNE"), in: inbox) == [4])
        _ = try await user.expungeMessages(UIDSet([1]), in: inbox)
        #expect(try await search(plans, in: inbox) == [4])

        try await user.createMailbox("Archive")
        let archive = try await user.mailbox("Archive")
        _ = try await user.saveMessages(
            [
                IncomingMessage(
                    bytes: Self.mail(
                        from: "erin@example.com", to: "grace@example.com", subject: "holiday",
                        date: "Fri, 6 Nov 2026 08:00:00 +0000", body: "beach"))
            ], to: archive)
        #expect(try await search(.header(name: "subject", contains: "holiday"), in: archive) == [1])
        #expect(try await search(plans, in: archive) == [])
        #expect(try await search(plans, in: inbox) == [4])
        #expect(try await search(.header(name: "subject", contains: "holiday"), in: inbox) == [])
    }

    /// As Dovecot 2.3.19 answers: SUBJECT compresses runs of blanks, a line break and the blank after it read
    /// as one space (Outlook folds with a tab), HEADER SUBJECT keeps inner blanks, FROM matches the address
    /// list written back (`"Name" <local@domain>`), not the raw field.
    @Test func headerFormsLikeDovecot() async throws {
        let (storage, _, _) = try makeStorage()
        let user = try await storage.user("grace")
        let inbox = try await user.mailbox("INBOX")
        _ = try await user.saveMessages(
            [
                IncomingMessage(
                    bytes: Array(
                        ("Subject: two  spaces\r\n and\r\n\tfold\r\nFrom: user-from@domain.org (Real Name)\r\n"
                            + "X-F: r\r\n\ts\r\n\r\nbody\r\n").utf8)),
                IncomingMessage(bytes: Array("Subject: word1\r\n\tword2\r\nFrom: \"user-from\"@domain.org\r\n\r\nbody\r\n".utf8))
            ], to: inbox)
        func search(_ query: SearchQuery) async throws -> [UInt32] { try await user.search(query, in: inbox) }
        #expect(try await search(.subject("two spaces and fold")) == [1])
        #expect(try await search(.subject("two  spaces")) == [])
        #expect(try await search(.subject("word1 word2")) == [2])
        #expect(try await search(.header(name: "subject", contains: "two  spaces")) == [1])
        #expect(try await search(.header(name: "subject", contains: "and fold")) == [1])
        #expect(try await search(.header(name: "x-f", contains: "r s")) == [1])
        #expect(try await search(.address(field: "from", contains: "user-from@domain.org")) == [1, 2])
        #expect(try await search(.address(field: "from", contains: "\"Real Name\" <user-from@")) == [1])
        #expect(try await search(.address(field: "from", contains: "Real Name <user")) == [])
        #expect(try await search(.header(name: "from", contains: "(Real Name)")) == [1])
    }
}
