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
        var modified: [UInt32] = []
        if unchangedSince != nil { condstore = true }
        if !uids.isEmpty {
            let result = try await user.storeFlags(FlagChange(mode, flags: flags, keywords: keywords), on: UIDSet(uids),
                                                   in: current.mailbox, unchangedSince: unchangedSince.map { Int64($0) }, origin: id)
            current.view.noteOwnChanges(result.changed)
            selected = current
            modified = result.modifiedSince
            if flags.contains(.deleted) && operation.mode != .remove {
                statistics.deleted += result.changed.filter { $0.flags.contains(.deleted) }.count
            }
        }
        if !operation.silent {
            // Messages expunged meanwhile changed nothing, so they get no FETCH (as in Dovecot).
            let gone = try await expungedMeanwhile(uids, user: user)
            for uid in uids where !modified.contains(uid) && !gone.contains(uid) {
                guard let sequence = current.view.sequence(of: uid), let state = current.view.state(of: uid) else { continue }
                var items: [FetchItem] = [.flags(flagNames(state))]
                if byUID { items.insert(.uid(uid), at: 0) }
                if condstore { items.append(.modSeq(UInt64(state.modSeq))) }
                encoder.writeFetch(sequence: sequence, items, into: &output)
            }
        }
        await synchronize(allowExpunge: byUID)
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

    static func mentionsModSeq(_ key: SearchKey) -> Bool {
        switch key {
        case .modSeq: true
        case .not(let inner): mentionsModSeq(inner)
        case .or(let left, let right): mentionsModSeq(left) || mentionsModSeq(right)
        case .and(let keys): keys.contains(where: mentionsModSeq)
        default: false
        }
    }

    func expunge(tag: String, only set: SequenceSet?, user: MailUser) async throws {
        guard let current = selected else { return }
        guard !current.readOnly else { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        var deleted = try await user.messageStates(in: current.mailbox).filter { $0.flags.contains(.deleted) }.map(\.uid)
        if let set {
            let allowed = Set(current.view.uids(in: set, byUID: true))
            deleted = deleted.filter { allowed.contains($0) }
        }
        if !deleted.isEmpty {
            _ = try await user.expungeMessages(UIDSet(deleted), in: current.mailbox, origin: id)
            statistics.expunged += deleted.count
        }
        await synchronize(allowExpunge: true)
        tagged(tag, .ok, "Expunge completed.")
    }

    func search(tag: String, _ command: SearchCommand, byUID: Bool, user: MailUser) async throws {
        guard let current = selected else { return }
        if let charset = command.charset, !["UTF-8", "US-ASCII"].contains(charset.uppercased()) {
            return tagged(tag, .no, code: .badCharset(["UTF-8", "US-ASCII"]), "Unsupported charset.")
        }
        let query = SearchTranslation(view: current.view).query(for: command.key)
        let matches = Set(try await user.search(query, in: current.mailbox))
        let found = current.view.messages.enumerated().filter { matches.contains($0.element.uid) }
        let numbers = found.map { byUID ? $0.element.uid : UInt32($0.offset + 1) }
        // RFC 7162 §3.1.5: a search by MODSEQ reports the highest MODSEQ of what it found.
        let highest = Self.mentionsModSeq(command.key) ? found.map { UInt64($0.element.modSeq) }.max() : nil
        if highest != nil { condstore = true }
        if let options = command.returnOptions {
            // ESEARCH (RFC 4731); an empty RETURN () means ALL. SAVE and CONTEXT are not offered.
            let wanted = Set(options.isEmpty ? [.all] : options)
            if wanted.contains(.save) || wanted.contains(.update) || wanted.contains(.context) {
                return tagged(tag, .bad, "Unsupported SEARCH RETURN option.")
            }
            encoder.writeESearch(ESearchResponse(tag: tag, uid: byUID, min: wanted.contains(.min) ? numbers.first : nil,
                                                 max: wanted.contains(.max) ? numbers.last : nil,
                                                 count: wanted.contains(.count) ? UInt32(numbers.count) : nil,
                                                 all: wanted.contains(.all) && !numbers.isEmpty ? SequenceSetFormatter.runs(numbers) : nil,
                                                 modSeq: highest), into: &output)
        } else {
            encoder.writeSearch(numbers, highestModSeq: highest, into: &output)
        }
        await synchronize(allowExpunge: byUID)
        tagged(tag, .ok, "Search completed.")
    }
}

/// Turns the client's search key into the storage's query: sequence numbers and \Recent are
/// properties of this session, so they become UID sets here.
struct SearchTranslation {
    let view: MailboxView

    func query(for key: SearchKey) -> SearchQuery {
        switch key {
        case .all, .saveDateSupported: return .all
        case .answered: return .flags(.answered, set: true)
        case .deleted: return .flags(.deleted, set: true)
        case .draft: return .flags(.draft, set: true)
        case .flagged: return .flags(.flagged, set: true)
        case .seen: return .flags(.seen, set: true)
        case .unanswered: return .flags(.answered, set: false)
        case .undeleted: return .flags(.deleted, set: false)
        case .undraft: return .flags(.draft, set: false)
        case .unflagged: return .flags(.flagged, set: false)
        case .unseen: return .flags(.seen, set: false)
        case .recent: return .uids(UIDSet(view.recent))
        case .new: return .and([.uids(UIDSet(view.recent)), .flags(.seen, set: false)])
        case .old: return .not(.uids(UIDSet(view.recent)))
        case .keyword(let name): return .keyword(name, set: true)
        case .unkeyword(let name): return .keyword(name, set: false)
        case .bcc(let text): return .header(name: "bcc", contains: text)
        case .cc(let text): return .header(name: "cc", contains: text)
        case .from(let text): return .header(name: "from", contains: text)
        case .to(let text): return .header(name: "to", contains: text)
        case .subject(let text): return .header(name: "subject", contains: text)
        case .header(let name, let value): return .header(name: name.lowercased(), contains: value)
        case .body(let text): return .body(text)
        case .text(let text): return .text(text)
        case .before(let date): return .internalDate(DayComparison(.before, Self.day(date)))
        case .on(let date): return .internalDate(DayComparison(.on, Self.day(date)))
        case .since(let date): return .internalDate(DayComparison(.since, Self.day(date)))
        case .sentBefore(let date): return .sentDate(DayComparison(.before, Self.day(date)))
        case .sentOn(let date): return .sentDate(DayComparison(.on, Self.day(date)))
        case .sentSince(let date): return .sentDate(DayComparison(.since, Self.day(date)))
        case .savedBefore(let date): return .saveDate(DayComparison(.before, Self.day(date)))
        case .savedOn(let date): return .saveDate(DayComparison(.on, Self.day(date)))
        case .savedSince(let date): return .saveDate(DayComparison(.since, Self.day(date)))
        case .larger(let size): return .larger(Int64(clamping: size))
        case .smaller(let size): return .smaller(Int64(clamping: size))
        case .older(let seconds): return .older(seconds: Int64(seconds))
        case .younger(let seconds): return .younger(seconds: Int64(seconds))
        case .uid(let set): return .uids(UIDSet(view.uids(in: set, byUID: true)))
        case .sequence(let set): return .uids(UIDSet(view.uids(in: set, byUID: false)))
        case .modSeq(let value, _): return .modSeqAtLeast(Int64(clamping: value))
        case .emailID, .threadID: return .uids(UIDSet())
        case .not(let inner): return .not(query(for: inner))
        case .or(let left, let right): return .or(query(for: left), query(for: right))
        case .and(let keys): return .and(keys.map(query(for:)))
        }
    }

    static func day(_ date: IMAPDate) -> SearchDay {
        SearchDay(year: date.year, month: date.month, day: date.day)
    }
}
