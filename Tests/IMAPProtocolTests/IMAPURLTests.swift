import IMAPProtocol
import Testing

/// RFC 5092 message URLs as CATENATE (RFC 4469) and URL-PARTIAL (RFC 5550) use them.
@Suite struct IMAPURLTests {
    private func badURL(_ text: String) -> String? {
        do {
            _ = try IMAPURL(parsing: text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func serverRelativeWithSectionAndPartial() throws {
        #expect(
            try IMAPURL(parsing: "/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=0.100")
                == IMAPURL(mailbox: "INBOX", uidValidity: 385_759_045, uid: 20, section: "1.2", partial: .init(offset: 0, length: 100)))
        // RFC 4469's example spells the keyword in lower case.
        #expect(
            try IMAPURL(parsing: "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER")
                == IMAPURL(mailbox: "Drafts", uidValidity: 385_759_045, uid: 20, section: "HEADER"))
        #expect(try IMAPURL(parsing: "/INBOX/;UID=5") == IMAPURL(mailbox: "INBOX", uid: 5))
        #expect(try IMAPURL(parsing: "/INBOX/;uid=5/;Partial=17") == IMAPURL(mailbox: "INBOX", uid: 5, partial: .init(offset: 17)))
    }

    @Test func percentEncodingInMailboxAndSection() throws {
        let url = try IMAPURL(parsing: "/Lists/caf%C3%A9%20talk;UIDVALIDITY=7/;UID=3/;SECTION=1.HEADER.FIELDS%20(From%20To)")
        #expect(url.mailbox == "Lists/café talk")
        #expect(url.section == "1.HEADER.FIELDS (From To)")
        #expect(badURL("/IN%ZZ/;UID=1") == "Invalid %-encoding")
        #expect(badURL("/INBOX%/;UID=1") == "Invalid %-encoding")
        #expect(badURL("/%FF/;UID=1") == "Mailbox name is not UTF-8")
        #expect(badURL("/My Box/;UID=1") == "URL has characters that must be %-encoded")
    }

    @Test func absoluteURLsKeepUserAndHost() throws {
        let url = try IMAPURL(parsing: "imap://jane%40example.com;AUTH=*@mail.example.com:1143/INBOX;UIDVALIDITY=9/;UID=2")
        #expect(url.authority == IMAPURL.Authority(user: "jane@example.com", host: "mail.example.com", port: 1143))
        #expect(url.mailbox == "INBOX" && url.uid == 2 && url.uidValidity == 9)
        let anonymous = try IMAPURL(parsing: "IMAP://[::1]/INBOX/;UID=2")
        #expect(anonymous.authority == IMAPURL.Authority(user: nil, host: "[::1]", port: nil))
        #expect(badURL("imap://joe@host") == "URL names no message")
        #expect(badURL("imap://joe@host:99999/INBOX/;UID=1") == "Invalid port")
        #expect(badURL("//host/INBOX/;UID=1") == "Network-path references are not supported")
        #expect(badURL("http://host/INBOX/;UID=1") == "Not an IMAP URL")
    }

    @Test func relativeToTheSelectedMailbox() throws {
        #expect(try IMAPURL(parsing: ";UID=12/;SECTION=TEXT") == IMAPURL(mailbox: nil, uid: 12, section: "TEXT"))
    }

    @Test func refusesWhatIsNotOneMessage() {
        #expect(badURL("") == "Empty URL")
        #expect(badURL("/INBOX") == "URL names no message (no ;UID=)")
        #expect(badURL("/INBOX;UIDVALIDITY=1") == "URL names no message (no ;UID=)")
        #expect(badURL("/INBOX?SUBJECT%20x") == "Message lists and searches are not supported")
        #expect(badURL("/;UID=1") == "URL names no mailbox")
        #expect(badURL("/INBOX;UIDVALIDITY=0/;UID=1") == "Invalid UIDVALIDITY")
        #expect(badURL("/INBOX;UIDVALIDITY=x/;UID=1") == "Invalid UIDVALIDITY")
        #expect(badURL("/INBOX/;UID=0") == "Invalid UID")
        #expect(badURL("/INBOX/;UID=4294967296") == "Invalid UID")
        #expect(badURL("/INBOX/;UID=1/;SECTION=") == "Empty SECTION")
        #expect(badURL("/INBOX/;UID=1/;PARTIAL=1.0") == "Invalid PARTIAL length")
        #expect(badURL("/INBOX/;UID=1/;PARTIAL=-1") == "Invalid PARTIAL offset")
        #expect(badURL("/INBOX/;UID=1/;PARTIAL=1/;SECTION=1") == "SECTION out of place")
        #expect(badURL("/INBOX/;UID=1/;PARTIAL=1/;PARTIAL=2") == "PARTIAL given twice")
        #expect(badURL("/INBOX/;UID=1/;FOO=1") == "Unknown URL parameter")
        #expect(badURL("/INBOX;X=1/;UID=1") == "Unknown parameter in the mailbox part")
        #expect(badURL("/INBOX/;UID=1;URLAUTH=anonymous:internal:91354a473744909de610943775f92038") == "URLAUTH is not supported")
        #expect(badURL("/INBOX/;UID=1;EXPIRE=2026-12-01T00:00:00Z;URLAUTH=user+jane:internal:0") == "URLAUTH is not supported")
    }
}

/// Dovecot 2.3's draft preview forms and RFC 8970's.
@Suite struct FuzzyPreviewParserTests {
    @Test func snippetAndPreviewModifiers() throws {
        func attributes(_ items: String) throws -> [FetchAttribute] {
            guard case .fetch(_, let attributes, _, _) = try parse("a FETCH 1 (\(items))\r\n") else { return [] }
            return attributes
        }
        #expect(try attributes("SNIPPET (FUZZY)") == [.fuzzyPreview(.snippet, lazy: false)])
        #expect(try attributes("SNIPPET") == [.fuzzyPreview(.snippet, lazy: false)])
        #expect(try attributes("SNIPPET (LAZY=FUZZY) UID") == [.fuzzyPreview(.snippet, lazy: true), .uid])
        #expect(try attributes("PREVIEW (FUZZY)") == [.fuzzyPreview(.preview, lazy: false)])
        #expect(try attributes("PREVIEW (FUZZY LAZY)") == [.fuzzyPreview(.preview, lazy: true)])
        #expect(try attributes("PREVIEW (LAZY)") == [.preview(lazy: true)])
        #expect(try attributes("PREVIEW") == [.preview(lazy: false)])
        #expect(parseError("a FETCH 1 (SNIPPET (SMART))\r\n")?.message == "Unknown PREVIEW modifier")
    }
}
