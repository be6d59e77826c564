import IMAPProtocol
import ObjectMail

/// The event types of RFC 5465 §5, by their wire names.
enum NotifyEvent: String, Sendable, Hashable, CaseIterable {
    case messageNew = "MessageNew"
    case messageExpunge = "MessageExpunge"
    case flagChange = "FlagChange"
    case annotationChange = "AnnotationChange"
    case mailboxName = "MailboxName"
    case subscriptionChange = "SubscriptionChange"
    case mailboxMetadataChange = "MailboxMetadataChange"
    case serverMetadataChange = "ServerMetadataChange"

    /// What this server can report; the rest needs ANNOTATE or METADATA, which it does not have.
    static let supported: [NotifyEvent] = [.messageNew, .messageExpunge, .flagChange, .mailboxName, .subscriptionChange]
    /// The events that concern messages (the only ones SELECTED and SELECTED-DELAYED may name).
    static let messageEvents: Set<NotifyEvent> = [.messageNew, .messageExpunge, .flagChange, .annotationChange]

    init?(wireName: String) {
        guard let event = Self.allCases.first(where: { $0.rawValue.uppercased() == wireName.uppercased() }) else { return nil }
        self = event
    }
}

/// Why a NOTIFY SET was refused: a BAD for a malformed event list, a NO [BADEVENT] for events we cannot report.
enum NotifyRefusal: Error, Equatable {
    case bad(String)
    case unsupportedEvent
}

/// A NOTIFY SET (RFC 5465) checked against the RFC's composition rules: what the session reports, and for which
/// mailboxes. `NotifySpecification.none` is NOTIFY NONE.
struct NotifySpecification: Sendable, Equatable {
    /// Mailboxes other than the selected one (RFC 5465 §6.2-6.6).
    enum Filter: Sendable, Equatable {
        /// Where new mail is delivered. LMTP delivers to INBOX (a `+detail` mailbox only when configured), so INBOX.
        case inboxes
        case personal
        case subscribed
        case subtree([String])
        case mailboxes([String])
    }

    struct Group: Sendable, Equatable {
        var filter: Filter
        var events: Set<NotifyEvent>
    }

    /// SELECTED or SELECTED-DELAYED with its message events.
    struct Selected: Sendable, Equatable {
        var events: Set<NotifyEvent>
        /// SELECTED-DELAYED: expunges wait for a command that may report them (RFC 5465 §6.1.2).
        var delayed: Bool
        /// FETCH attributes sent with each new message (MessageNew's optional list).
        var fetch: [FetchAttribute]
    }

    var status: Bool
    /// nil: no message events for the selected mailbox (SELECTED NONE, or no SELECTED group at all).
    var selected: Selected?
    var groups: [Group]

    static let none = NotifySpecification(status: false, selected: nil, groups: [])

    init(status: Bool, selected: Selected?, groups: [Group]) {
        self.status = status
        self.selected = selected
        self.groups = groups
    }

    /// Checks a parsed NOTIFY SET. BAD for what RFC 5465 §5/§6.1 call errors, before NO [BADEVENT] for
    /// events of a type we do not support, so a client learns about its own mistakes first.
    init(status: Bool, groups parsed: [NotifyEventGroup]) throws(NotifyRefusal) {
        var selected: Selected?
        var sawSelected = false
        var groups: [Group] = []
        var unsupported = false
        for group in parsed {
            var events = Set<NotifyEvent>()
            for name in group.events {
                guard let event = NotifyEvent(wireName: name) else {
                    unsupported = true
                    continue
                }
                events.insert(event)
            }
            let isSelected = group.filter == "SELECTED" || group.filter == "SELECTED-DELAYED"
            // RFC 5465 §5.1-5.3 pair MessageNew with MessageExpunge, and want both for FlagChange, so that a client's
            // view of the selected mailbox stays consistent. For other mailboxes each event only triggers a STATUS,
            // so (as Dovecot does) any of them may be asked for alone.
            if isSelected && events.contains(.messageNew) != events.contains(.messageExpunge) {
                throw .bad("MessageNew and MessageExpunge must be given together")
            }
            if isSelected && !events.isDisjoint(with: [.flagChange, .annotationChange]) && !events.contains(.messageNew) {
                throw .bad("FlagChange and AnnotationChange need MessageNew and MessageExpunge")
            }
            if !group.messageNewFetch.isEmpty && !isSelected {
                throw .bad("FETCH attributes are allowed only for the selected mailbox")
            }
            if isSelected {
                if sawSelected { throw .bad("Only one of SELECTED and SELECTED-DELAYED may be given") }
                sawSelected = true
                guard events.isSubset(of: NotifyEvent.messageEvents) else {
                    throw .bad("Only message events are allowed for the selected mailbox")
                }
                if !events.isEmpty {
                    selected = Selected(events: events, delayed: group.filter == "SELECTED-DELAYED", fetch: group.messageNewFetch)
                }
            } else {
                let mailboxes = group.mailboxes.map(Self.normalized)
                let filter: Filter =
                    switch group.filter {
                    case "INBOXES": .inboxes
                    case "PERSONAL": .personal
                    case "SUBSCRIBED": .subscribed
                    case "SUBTREE": .subtree(mailboxes)
                    default: .mailboxes(mailboxes)
                    }
                groups.append(Group(filter: filter, events: events))
            }
            if !events.isSubset(of: NotifyEvent.supported) { unsupported = true }
        }
        if unsupported { throw .unsupportedEvent }
        self.init(status: status, selected: selected, groups: groups)
    }

    /// A client's name as the storage spells it (INBOX in capitals); names that are not valid mailbox names are
    /// kept as given and simply never match (RFC 5465 §6.6: an unknown mailbox is no error).
    static func normalized(_ name: String) -> String {
        (try? MailboxName(name))?.value ?? name
    }

    /// The events wanted for a mailbox other than the selected one: the first group whose filter matches decides.
    func events(for name: String, isSubscribed: (String) -> Bool) -> Set<NotifyEvent> {
        for group in groups where Self.matches(group.filter, name, isSubscribed: isSubscribed) {
            return group.events
        }
        return []
    }

    var needsSubscriptions: Bool {
        groups.contains { $0.filter == .subscribed }
    }

    /// True when some mailbox may get events (else no watch on the user's changes is needed).
    var watchesAnything: Bool {
        selected != nil || groups.contains { !$0.events.isEmpty }
    }

    static func matches(_ filter: Filter, _ name: String, isSubscribed: (String) -> Bool) -> Bool {
        switch filter {
        case .inboxes: return name == MailboxName.inbox.value
        case .personal: return true
        case .subscribed: return isSubscribed(name)
        case .mailboxes(let names): return names.contains(name)
        case .subtree(let roots):
            let separator = String(MailboxName.separator)
            return roots.contains { name == $0 || name.hasPrefix($0 + separator) }
        }
    }
}
