import Foundation
import IMAPProtocol
import MetaCache
import ObjectMail

extension IMAPSession {
    func store(tag: String, _ set: SequenceSet, _ operation: StoreOperation, unchangedSince: UInt64?, byUID: Bool,
               user: MailUser) async throws {
        guard var current = selected else { return }
        guard !current.readOnly else { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        if let keyword = overlongKeyword(in: operation.flags) {
            return tagged(tag, .no, "Invalid keyword '\(keyword)': Keyword length too long")
        }
        let uids = current.view.uids(in: set, byUID: byUID)
        let (flags, keywords) = Self.splitFlags(operation.flags)
        let mode: FlagChange.Operation = switch operation.mode {
        case .add: .add
        case .remove: .remove
        case .replace: .replace
        }
        var modified: [UInt32] = [], changed: [UInt32] = [], caughtUp: CaughtUp?
        if unchangedSince != nil { enableCondstore() }
        if !uids.isEmpty {
            let result = try await user.storeFlags(FlagChange(mode, flags: flags, keywords: keywords), on: UIDSet(uids),
                                                   in: current.mailbox, unchangedSince: unchangedSince.map { Int64($0) }, origin: id,
                                                   catchUp: catchUpRequest)
            caughtUp = result.caughtUp
            current.view.noteOwnChanges(result.changed)
            selected = current
            modified = result.modifiedSince
            changed = result.changed.map(\.uid)
            if flags.contains(.deleted) && operation.mode != .remove {
                statistics.deleted += result.changed.filter { $0.flags.contains(.deleted) }.count
            }
        }
        // RFC 7162 §3.1.3: even .SILENT reports the new MODSEQ of what changed once CONDSTORE is on.
        let reported = operation.silent ? (condstore ? Set(changed) : []) : Set(uids)
        // Messages expunged meanwhile changed nothing, so they get no FETCH (as in Dovecot).
        let gone = reported.isEmpty ? [] : try await expungedMeanwhile(uids, user: user)
        for uid in uids where reported.contains(uid) && !modified.contains(uid) && !gone.contains(uid) {
            guard let sequence = current.view.sequence(of: uid), let state = current.view.state(of: uid) else { continue }
            var items: [FetchItem] = operation.silent ? [] : [.flags(flagNames(state))]
            if byUID || qresync { items.insert(.uid(uid), at: 0) }
            if condstore { items.append(.modSeq(UInt64(state.modSeq))) }
            encoder.writeFetch(sequence: sequence, items, into: &output)
        }
        await synchronize(allowExpunge: byUID, caughtUp: caughtUp)
        if modified.isEmpty {
            tagged(tag, .ok, "Store completed.")
        } else {
            // MODIFIED names UIDs for UID STORE, sequence numbers for STORE.
            let numbers = byUID ? modified : modified.compactMap { current.view.sequence(of: $0) }
            tagged(tag, .ok, code: .modified(SequenceSetFormatter.runs(numbers)), "Conditional store failed.")
        }
    }

    func copy(tag: String, _ set: SequenceSet, to name: String, byUID: Bool, move: Bool, user: MailUser) async throws {
        guard let current = selected else { return }
        if move && current.readOnly { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        let destination = try await user.mailbox(name)
        let uids = current.view.uids(in: set, byUID: byUID)
        guard !uids.isEmpty else {
            return tagged(tag, .ok, "No messages found.")
        }
        guard try await expungedMeanwhile(uids, user: user).isEmpty else { return await refuseExpunged(tag, byUID: byUID) }
        let assigned: AssignedUIDs
        if move {
            assigned = try await user.moveMessages(UIDSet(uids), from: current.mailbox, to: destination, origin: id).0
        } else {
            assigned = try await user.copyMessages(UIDSet(uids), from: current.mailbox, to: destination, origin: id)
        }
        // Expunged between the check above and the copy: still nothing to name in COPYUID.
        guard !assigned.sourceUIDs.isEmpty else { return await refuseExpunged(tag, byUID: byUID) }
        if destination.specialUse?.caseInsensitiveCompare("\\Trash") == .orderedSame {
            statistics.trashed += assigned.destinationUIDs.count
        }
        let code = ResponseCode.copyUID(uidValidity: assigned.uidValidity, source: SequenceSetFormatter.runs(assigned.sourceUIDs),
                                        destination: SequenceSetFormatter.runs(assigned.destinationUIDs))
        if move {
            encoder.writeUntagged(.ok, code: code, "Moved UIDs.", into: &output)
            await synchronize(allowExpunge: true)
            tagged(tag, .ok, "Move completed.")
        } else {
            await synchronize(allowExpunge: byUID)
            tagged(tag, .ok, code: code, "Copy completed.")
        }
    }

    func expunge(tag: String, only set: SequenceSet?, user: MailUser) async throws {
        guard let current = selected else { return }
        guard !current.readOnly else { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        // UID EXPUNGE touches only messages this session knows; plain EXPUNGE every \Deleted one.
        let among = set.map { UIDSet(current.view.uids(in: $0, byUID: true)) } ?? .all
        var caughtUp: CaughtUp?
        if !among.isEmpty {
            let result = try await user.expungeDeletedMessages(among: among, in: current.mailbox, origin: id, catchUp: catchUpRequest)
            statistics.expunged += result.expungedUIDs.count
            caughtUp = result.caughtUp
        }
        await synchronize(allowExpunge: true, caughtUp: caughtUp)
        tagged(tag, .ok, code: highestModSeqCode(always: true), "Expunge completed.")
    }
}
