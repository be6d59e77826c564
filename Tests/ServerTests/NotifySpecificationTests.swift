import IMAPProtocol
import NIOCore
import Testing

@testable import Server

/// RFC 5465's rules for a NOTIFY SET and which mailboxes its filters select.
@Suite struct NotifySpecificationTests {
    func specification(_ line: String) throws -> NotifySpecification {
        guard case .notify(.set(let status, let groups)) = try IMAPCommandParser().parse(ByteBuffer(string: "a NOTIFY SET \(line)\r\n")).command else {
            throw IMAPParseError(message: "not NOTIFY SET")
        }
        return try NotifySpecification(status: status, groups: groups)
    }

    func refusal(_ line: String) -> NotifyRefusal? {
        do {
            _ = try specification(line)
            return nil
        } catch let refusal as NotifyRefusal {
            return refusal
        } catch {
            return nil
        }
    }

    @Test func rfcExample() throws {
        // RFC 5465 §3.1's example, less AnnotationChange (we have no ANNOTATE).
        let spec = try specification(
            "STATUS (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From To)]) MessageExpunge))"
                + " (SUBTREE Lists (MessageNew MessageExpunge FlagChange)) (MAILBOXES Drafts (MessageNew MessageExpunge))")
        #expect(spec.status)
        #expect(spec.selected?.events == [.messageNew, .messageExpunge])
        #expect(spec.selected?.delayed == false)
        #expect(spec.selected?.fetch.count == 2)
        #expect(spec.events(for: "Lists/Swift", isSubscribed: { _ in false }) == [.messageNew, .messageExpunge, .flagChange])
        #expect(spec.events(for: "Lists", isSubscribed: { _ in false }).contains(.flagChange))
        #expect(spec.events(for: "ListsOther", isSubscribed: { _ in false }).isEmpty)
        #expect(spec.events(for: "Drafts", isSubscribed: { _ in false }) == [.messageNew, .messageExpunge])
        #expect(spec.events(for: "INBOX", isSubscribed: { _ in false }).isEmpty)
    }

    @Test func firstMatchingGroupDecides() throws {
        let spec = try specification("(INBOXES (MessageNew MessageExpunge)) (PERSONAL (MailboxName)) (SUBSCRIBED (SubscriptionChange))")
        #expect(spec.events(for: "INBOX", isSubscribed: { _ in true }) == [.messageNew, .messageExpunge])
        #expect(spec.events(for: "Sent", isSubscribed: { _ in true }) == [.mailboxName])
        #expect(spec.selected == nil)
        #expect(
            try specification("(MAILBOXES inbox (MessageNew MessageExpunge))").events(for: "INBOX", isSubscribed: { _ in false })
                == [.messageNew, .messageExpunge])
    }

    @Test func compositionErrorsAreBad() {
        for line in [
            "(SELECTED (MessageNew))", "(SELECTED-DELAYED (MessageExpunge))", "(SELECTED (FlagChange))",
            "(SELECTED (MailboxName))", "(SELECTED (MessageNew MessageExpunge)) (SELECTED-DELAYED NONE)",
            "(PERSONAL (MessageNew (UID) MessageExpunge))"
        ] {
            guard case .bad = refusal(line) else {
                Issue.record("\(line) should be BAD")
                continue
            }
        }
    }

    /// For mailboxes other than the selected one each event only triggers a STATUS: Dovecot takes them one by one.
    @Test func otherMailboxesTakeSingleMessageEvents() throws {
        #expect(try specification("(MAILBOXES x (MessageExpunge))").events(for: "x", isSubscribed: { _ in false }) == [.messageExpunge])
        #expect(try specification("(PERSONAL (MessageNew))").events(for: "x", isSubscribed: { _ in false }) == [.messageNew])
        #expect(try specification("(PERSONAL (FlagChange))").events(for: "x", isSubscribed: { _ in false }) == [.flagChange])
    }

    @Test func unsupportedEventsAreNo() {
        #expect(refusal("(PERSONAL (MailboxMetadataChange))") == .unsupportedEvent)
        #expect(refusal("(PERSONAL (ServerMetadataChange))") == .unsupportedEvent)
        #expect(refusal("(SELECTED (MessageNew MessageExpunge AnnotationChange))") == .unsupportedEvent)
        #expect(refusal("(PERSONAL (XSomething))") == .unsupportedEvent)
    }

    @Test func selectedNoneAndDelayed() throws {
        #expect(try specification("(SELECTED NONE) (PERSONAL (MailboxName))").selected == nil)
        #expect(try specification("(SELECTED-DELAYED (MessageNew MessageExpunge))").selected?.delayed == true)
        #expect(try specification("(SELECTED NONE)").watchesAnything == false)
    }
}
