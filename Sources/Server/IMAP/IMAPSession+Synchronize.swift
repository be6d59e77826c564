import IMAPProtocol
import MailModel
import NIOCore
import ObjectMail

/// The untagged responses that bring a client's view of its selected mailbox up to date (RFC 9051 §7.5).
extension IMAPSession {
    /// Brings the client's view up to date with the index when something changed, and writes the
    /// untagged responses. Removals wait while the running command names messages by sequence number (the command
    /// table's `mayReportExpunges`: FETCH, STORE, SEARCH …); `allowExpunge` decides instead where no command or a
    /// different rule applies. `newMail` says whether EXISTS may go out now; by default yes, unless the delay-newmail
    /// workaround keeps it for NOOP, CHECK and IDLE. `caughtUp`: what this session's own write read in its transaction
    /// (asked for with `viewCursor`), used instead of a read of the index when it starts where the view is.
    func synchronize(allowExpunge: Bool? = nil, newMail: Bool? = nil, caughtUp: MailboxCatchUp? = nil) async {
        guard let user, var current = selected else { return }
        let allowExpunge = allowExpunge ?? running?.mayReportExpunges ?? true
        // NOTIFY (RFC 5465) without events for the selected mailbox: only what the command asked for.
        guard selectedUpdatesAllowed else { return }
        let announceNew = newMail ?? !configuration.clientWorkarounds.contains(.delayNewmail)
        let pending = (allowExpunge && current.expungePending) || (announceNew && current.newMailPending)
        // Every change (other sessions, LMTP delivery in this process, this session's own) is an index
        // write; without one since the last synchronization there is nothing to read.
        let known = caughtUp.flatMap { $0.cursor == viewCursor(for: current) ? $0 : nil }
        let generation = known?.generation ?? user.indexGeneration
        if !pending, current.indexGeneration == generation { return }
        do {
            let changes: MailboxDelta
            if let known {
                guard let written = known.changes else { throw StorageError.mailboxNotFound(user: user.name, mailbox: current.mailbox.name) }
                changes = written
            } else {
                changes = try await user.changes(in: current.mailbox)
            }
            let mailbox = changes.mailbox
            let changed = mailbox.highestModSeq != current.mailbox.highestModSeq || mailbox.uidNext != current.mailbox.uidNext
            guard changed || pending else {
                current.indexGeneration = generation
                selected = current
                return
            }
            // Held-back expunges or new mail mean the view is not the index's state at its MODSEQ: read all.
            let heldBack = current.expungePending || current.newMailPending
            let incremental = heldBack ? nil : current.view.applying(changes)
            let states = if let incremental { incremental } else { try await user.messageStates(in: mailbox) }
            var firstRecent = UInt32.max
            let newArrived = mailbox.uidNext != current.mailbox.uidNext || current.newMailPending
            if newArrived && announceNew {
                if let claimed = known?.claimedRecent {
                    firstRecent = claimed
                } else {
                    firstRecent = current.readOnly ? mailbox.firstRecentUID : try await claimRecent(in: mailbox, user: user)
                }
            }
            let viewBefore = current.view
            var updates = current.view.reconcile(
                with: states, allowExpunge: allowExpunge, firstRecentUID: firstRecent,
                announceNew: announceNew)
            if !selectedFlagChangesWanted { updates.removeAll { if case .flags = $0 { true } else { false } } }
            current.mailbox = mailbox
            current.newMailPending = !announceNew && states.contains { $0.uid > current.view.largestUID }
            let largest = current.view.largestUID
            current.expungePending = states.lazy.filter { $0.uid <= largest }.count < current.view.count
            current.indexGeneration = generation
            selected = current
            let contextChanges = await searchContextChanges(user: user)
            writeSearchContextChanges(contextChanges, added: false, view: viewBefore)
            write(updates)
            await fetchAddedMessages(contextChanges, newerThan: viewBefore.largestUID, user: user)
            if let view = selected?.view { writeSearchContextChanges(contextChanges, added: true, view: view) }
        } catch StorageError.mailboxNotFound {
            selected = nil
            encoder.writeUntagged(.bye, "Selected mailbox was deleted, have to disconnect.", into: &output)
            end(.closedByServer("Selected mailbox was deleted"))
        } catch {
            logger.error("synchronizing \(current.mailbox.name) failed: \(error)")
        }
    }

    /// What the selected mailbox's view has seen, for a write to read the changes after it in its own transaction.
    var viewCursor: MailboxCursor? { selected.map(viewCursor(for:)) }

    /// The write also takes the new \Recent messages when `synchronize` will announce them and claim them
    /// anyway: a read-write view, no new mail held back, and no delay-newmail or NOTIFY rule holding it.
    func viewCursor(for selected: SelectedMailbox) -> MailboxCursor {
        let announcesAtOnce =
            !selected.readOnly && !selected.newMailPending && selectedUpdatesAllowed
            && !configuration.clientWorkarounds.contains(.delayNewmail)
        return MailboxCursor(selected.mailbox, claimingRecent: announcesAtOnce)
    }

    /// Takes the mailbox's \Recent messages for this session. When another session already took them all
    /// (the usual case: every SELECT claims), no index write is made, so other sessions of the user need
    /// not re-read the index; a message arriving meanwhile is simply claimed by the next session.
    func claimRecent(in mailbox: Mailbox, user: MailUser) async throws -> UInt32 {
        guard mailbox.firstRecentUID < mailbox.uidNext else { return .max }
        return try await user.claimRecent(in: mailbox)
    }

    func write(_ updates: [MailboxViewUpdate]) {
        if qresync {
            // RFC 7162 §3.2.10: once QRESYNC is enabled, removals are one VANISHED of UIDs.
            let vanished = updates.compactMap { if case .expunge(_, let uid) = $0 { uid } else { nil } }
            if !vanished.isEmpty {
                encoder.writeVanished(SequenceSetFormatter.compact(vanished), earlier: false, into: &output)
                vanishedReported = true
            }
        }
        for update in updates {
            switch update {
            case .expunge(let sequence, _): if !qresync { encoder.writeExpunge(sequence, into: &output) }
            case .exists(let count): encoder.writeExists(count, into: &output)
            case .recent(let count): if !imap4rev2 { encoder.writeRecent(count, into: &output) }
            case .flags(let sequence, let state):
                var items: [FetchItem] = [.uid(state.uid), .flags(flagNames(state))]
                if condstore { items.append(.modSeq(UInt64(state.modSeq))) }
                encoder.writeFetch(sequence: sequence, items, into: &output)
            }
        }
    }

    /// FLAGS and PERMANENTFLAGS of the selected mailbox, at SELECT and whenever its keywords grow (Dovecot sends both).
    func writeMailboxFlags(_ keywords: [String], readOnly: Bool) {
        let systemFlags = MessageFlags.names.map(\.1)
        encoder.writeFlags(systemFlags + keywords, into: &output)
        encoder.writeUntagged(
            .ok, code: .permanentFlags(readOnly ? [] : systemFlags + keywords + ["\\*"]),
            readOnly ? "Read-only mailbox." : "Flags permitted.", into: &output)
    }

    /// With QRESYNC, the tagged OK of EXPUNGE, and of a NOOP, CHECK or IDLE that reported VANISHED, tells the
    /// mailbox's HIGHESTMODSEQ, so the client can store the state it has now seen (RFC 7162 §3.2.10; Dovecot does).
    func highestModSeqCode(always: Bool) -> ResponseCode? {
        defer { vanishedReported = false }
        guard qresync, always || vanishedReported, let mailbox = selected?.mailbox else { return nil }
        return .highestModSeq(UInt64(max(mailbox.highestModSeq, 1)))
    }

    /// The flags to send for a message. Every response that shows flags is built through here, so a keyword
    /// the client has not been told of is announced first (RFC 3501 §7.2.6): call it before writing the response.
    func flagNames(_ state: MessageState) -> [String] {
        if !state.keywords.isEmpty, var current = selected, current.view.keywords.insert(state.keywords) {
            selected = current
            writeMailboxFlags(current.view.keywords.names, readOnly: current.readOnly)
        }
        var names = state.flags.imapNames + state.keywords
        if !imap4rev2, selected?.view.recent.contains(state.uid) == true { names.append("\\Recent") }
        return names
    }
}
