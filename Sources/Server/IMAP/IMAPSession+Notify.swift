import ExecutorPreference
import Foundation
import IMAPProtocol
import ObjectMail

/// A session's NOTIFY (RFC 5465): what it asked for and the watch on the user's changes that feeds it.
struct NotificationState: Sendable {
    var specification: NotifySpecification
    /// The watch on every mailbox of the user; nil after NOTIFY NONE (nothing to watch).
    var subscriptionID: UUID?
    var forwarder: Task<Void, Never>?
    /// The running command asked for the mailbox's news (NOOP, CHECK, EXPUNGE, MOVE …): reported even when
    /// the selected mailbox's events are off.
    var polling = false
}

/// NOTIFY SET/NONE and the unsolicited STATUS, LIST and selected-mailbox responses it asks for.
extension IMAPSession {
    func notify(tag: String, _ command: NotifyCommand, user: MailUser) async {
        let specification: NotifySpecification
        switch command {
        case .none:
            specification = .none
        case .set(let status, let groups):
            do {
                specification = try NotifySpecification(status: status, groups: groups)
            } catch .bad(let reason) {
                return tagged(tag, .bad, "NOTIFY: \(reason)")
            } catch {
                let names = NotifyEvent.supported.map(\.rawValue).joined(separator: " ")
                return tagged(tag, .no, code: .other("BADEVENT", "(\(names))"), "Unsupported NOTIFY event")
            }
        }
        var state = notification ?? NotificationState(specification: specification)
        state.specification = specification
        if specification.watchesAnything, state.subscriptionID == nil {
            let subscription = user.events.watch(mailboxID: nil)
            let inputs = self.inputs
            state.subscriptionID = subscription.id
            state.forwarder = Task(executorPreference: PreferredExecutor.current) {
                for await event in subscription.events { inputs.yield(.notification(event)) }
            }
        } else if !specification.watchesAnything, let id = state.subscriptionID {
            state.forwarder?.cancel()
            state.subscriptionID = nil
            state.forwarder = nil
            user.events.stopWatching(id)
        }
        state.polling = true
        notification = state
        if case .set = command {
            // RFC 5465 §3.1: a successful NOTIFY SET is also a NOOP for the selected mailbox.
            await synchronize(newMail: true)
            if specification.status { await writeInitialStatus(specification, user: user) }
        }
        notification?.polling = false
        tagged(tag, .ok, "NOTIFY completed.")
    }

    func stopNotifications() async {
        guard let state = notification else { return }
        notification = nil
        state.forwarder?.cancel()
        if let id = state.subscriptionID { user?.events.stopWatching(id) }
    }

    /// Whether `synchronize` may report changes now: always without NOTIFY; with it, when the selected
    /// mailbox's message events are on or the running command asked.
    var selectedUpdatesAllowed: Bool {
        guard let notification else { return true }
        return notification.specification.selected != nil || notification.polling
    }

    /// Whether flag changes of other sessions in the selected mailbox go out as FETCH (FlagChange, RFC 5465 §5.1).
    var selectedFlagChangesWanted: Bool {
        guard let notification, !notification.polling else { return true }
        return notification.specification.selected?.events.contains(.flagChange) ?? false
    }

    // MARK: - Events

    /// One change to the user's mail, as the watch delivered it (between commands, or during IDLE).
    func notificationArrived(_ event: MailEvent) async {
        guard let specification = notification?.specification, let user else { return }
        // RFC 5465 §5: what this session did itself it has already been told.
        if event.origin == id { return }
        if let current = selected, event.mailboxID == current.mailbox.id {
            switch event.change {
            case .appended, .expunged, .flagsChanged:
                return await announceSelectedChanges(specification, user: user)
            default:
                break
            }
        }
        do {
            switch event.change {
            case .appended, .expunged, .flagsChanged:
                try await announceStatus(event, specification, user: user)
            case .mailboxCreated(let name):
                guard try await wants(.mailboxName, name, specification, user: user) else { return }
                let subscribed = try await user.subscribedNames().contains(name)
                writeListNotification(name, attributes: subscribed ? ["\\Subscribed"] : [])
            case .mailboxDeleted(let name):
                guard try await wants(.mailboxName, name, specification, user: user) else { return }
                writeListNotification(name, attributes: ["\\NonExistent"])
            case .mailboxRenamed(let from, let to):
                let fromWanted = try await wants(.mailboxName, from, specification, user: user)
                let toWanted = try await wants(.mailboxName, to, specification, user: user)
                guard fromWanted || toWanted else { return }
                writeListNotification(to, attributes: [], oldName: from)
            case .subscriptionChanged(let name, let subscribed):
                guard try await wants(.subscriptionChange, name, specification, user: user) else { return }
                writeListNotification(name, attributes: subscribed ? ["\\Subscribed"] : [])
            case .mailboxGone:
                break
            }
        } catch {
            // The mailbox went away meanwhile: its own event (deleted, renamed) says so.
            logger.debug("NOTIFY: no report for a change: \(error)")
        }
    }

    /// New, expunged or changed messages in the selected mailbox: EXISTS/EXPUNGE/FETCH now, as the client asked.
    private func announceSelectedChanges(_ specification: NotifySpecification, user: MailUser) async {
        guard let wanted = specification.selected else { return }
        let largestBefore = selected?.view.largestUID ?? 0
        await synchronize(allowExpunge: !wanted.delayed || idling, newMail: true)
        // MessageNew's FETCH attributes follow the EXISTS (RFC 5465 §5.2).
        guard !wanted.fetch.isEmpty, let view = selected?.view, view.largestUID > largestBefore else { return }
        let set = SequenceSet.ranges([SequenceRange(.number(largestBefore + 1), .number(view.largestUID))])
        do {
            _ = try await fetch(set, attributes: wanted.fetch, changedSince: nil, byUID: true, user: user)
        } catch {
            logger.error("NOTIFY: FETCH of new messages failed: \(error)")
        }
    }

    /// `* STATUS` for a mailbox other than the selected one (RFC 5465 §5.2, §5.3, §5.1).
    private func announceStatus(_ event: MailEvent, _ specification: NotifySpecification, user: MailUser) async throws {
        let kind: NotifyEvent
        switch event.change {
        case .appended: kind = .messageNew
        case .expunged: kind = .messageExpunge
        default: kind = .flagChange
        }
        var name = event.mailboxName
        if name == nil, let id = event.mailboxID { name = try await user.mailboxName(id: id) }
        guard let name, try await wants(kind, name, specification, user: user) else { return }
        try await status(mailbox: name, attributes: statusItems(for: kind), solicited: false, user: user)
    }

    /// MESSAGES/UIDNEXT/UIDVALIDITY for arrivals and expunges, HIGHESTMODSEQ for flag changes (and with CONDSTORE
    /// for all), as RFC 5465 §5 lists them; UNSEEN as well, since an unread count is what a client updates.
    func statusItems(for kind: NotifyEvent) -> [StatusAttribute] {
        var items: [StatusAttribute]
        switch kind {
        case .flagChange: items = [.uidValidity, .unseen, .highestModSeq]
        default: items = [.messages, .uidNext, .uidValidity, .unseen]
        }
        if condstore && !items.contains(.highestModSeq) { items.append(.highestModSeq) }
        return items
    }

    private func wants(
        _ event: NotifyEvent, _ name: String, _ specification: NotifySpecification,
        user: MailUser
    ) async throws -> Bool {
        let subscribed = specification.needsSubscriptions ? Set(try await user.subscribedNames()) : []
        return specification.events(for: name, isSubscribed: subscribed.contains).contains(event)
    }

    private func writeListNotification(_ name: String, attributes: [String], oldName: String? = nil) {
        encoder.writeList(
            ListEntry(attributes: attributes, delimiter: MailboxName.separator, name: name, oldName: oldName),
            into: &output)
    }

    /// NOTIFY SET STATUS: one STATUS for every mailbox (not the selected one) whose message events are on.
    private func writeInitialStatus(_ specification: NotifySpecification, user: MailUser) async {
        do {
            let subscribed = specification.needsSubscriptions ? Set(try await user.subscribedNames()) : []
            for listing in try await user.listMailboxes() where listing.exists {
                let name = listing.name.value
                guard name != selected?.mailbox.name else { continue }
                let events = specification.events(for: name, isSubscribed: subscribed.contains)
                guard !events.isDisjoint(with: NotifyEvent.messageEvents) else { continue }
                // HIGHESTMODSEQ where flag changes are to be reported, the value they will move on from (as Dovecot).
                let items: [StatusAttribute] =
                    [.messages, .uidNext, .uidValidity, .unseen]
                    + (events.contains(.flagChange) ? [.highestModSeq] : [])
                try? await status(mailbox: name, attributes: items, user: user)
            }
        } catch {
            logger.error("NOTIFY STATUS failed: \(error)")
        }
    }
}
