import Foundation
import IMAPProtocol
import MailModel
import ObjectMail

/// STORE and UID STORE, with CONDSTORE's UNCHANGEDSINCE (RFC 7162 §3.1.3).
extension IMAPSession {
    func store(
        tag: String, _ set: SequenceSet, _ operation: StoreOperation, unchangedSince: UInt64?, byUID: Bool,
        user: MailUser
    ) async throws {
        guard var current = selected else { return }
        guard !current.readOnly else { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        if let keyword = overlongKeyword(in: operation.flags) {
            return tagged(tag, .no, "Invalid keyword '\(keyword)': Keyword length too long")
        }
        let uids = current.view.uids(in: set, byUID: byUID)
        let (flags, keywords) = Self.splitFlags(operation.flags)
        let mode: FlagChange.Operation =
            switch operation.mode {
            case .add: .add
            case .remove: .remove
            case .replace: .replace
            }
        var modified: [UInt32] = []
        var changed: [UInt32] = []
        var caughtUp: MailboxCatchUp?
        if unchangedSince != nil { enableCondstore() }
        if !uids.isEmpty {
            let result = try await user.storeFlags(
                FlagChange(mode, flags: flags, keywords: keywords), on: UIDSet(uids),
                in: current.mailbox, unchangedSince: unchangedSince.map { Int64($0) }, origin: id,
                catchUp: viewCursor)
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
        await synchronize(caughtUp: caughtUp)
        if modified.isEmpty {
            tagged(tag, .ok, "Store completed.")
        } else {
            // MODIFIED names UIDs for UID STORE, sequence numbers for STORE.
            let numbers = modified.compactMap { current.view.number(of: $0, byUID: byUID) }
            tagged(tag, .ok, code: .modified(SequenceSetFormatter.runs(numbers)), "Conditional store failed.")
        }
    }
}
