import Foundation
import IMAPProtocol
import MailModel
import ObjectMail

/// SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182) and CONDSTORE's MODSEQ (RFC 7162); the result
/// writing is shared with SORT/ESORT (IMAPSession+Sort.swift).
extension IMAPSession {
    func search(tag: String, _ command: SearchCommand, byUID: Bool, user: MailUser) async throws {
        let options = command.returnOptions
        guard supportsReturnOptions(tag: tag, options) else { return }
        guard
            let matches = try await matchingStates(
                tag: tag, command.key, charset: command.charset,
                saving: options?.contains(.save) == true, user: user)
        else { return }
        // RFC 5267 §4.3.1: a refused context is said first; the search itself is still answered.
        let refused =
            options?.contains(.update) == true
            && !openSearchContext(
                SearchContext(
                    tag: tag, key: command.key, byUID: byUID, sortCriteria: nil, results: matches.map(\.uid),
                    fetch: command.updateFetch))
        writeResult(matches, tag: tag, options: options, byUID: byUID, key: command.key, sorted: false, partial: command.partial)
        await synchronize()
        tagged(tag, .ok, refused ? "Search completed, will not notify." : "Search completed.")
    }

    /// The messages of the view that match `key`, in sequence order; nil when the command was already
    /// answered (bad charset, unsupported RETURN option). A failing search that would have saved its result
    /// empties `$`, as RFC 5182 §2.1 asks.
    func matchingStates(tag: String, _ key: SearchKey, charset: String?, saving: Bool, user: MailUser) async throws -> [MessageState]? {
        guard let current = selected else { return nil }
        if !SearchCharsets.isSupported(charset) {
            if saving { selected?.view.savedSearch = [] }
            tagged(tag, .no, code: .badCharset(SearchCharsets.supported), "Unsupported charset.")
            return nil
        }
        // SORT and THREAD mostly run on ALL: no need to evaluate every index row for that, unless another
        // session expunged messages this view still shows (they must not match, RFC 2180 §4.1.3).
        if case .all = key, !current.expungePending { return current.view.messages }
        let query = SearchTranslation(view: current.view).query(for: key)
        do {
            let matches = Set(try await user.search(query, in: current.mailbox))
            return current.view.messages.filter { matches.contains($0.uid) }
        } catch {
            if saving { selected?.view.savedSearch = [] }
            throw error
        }
    }

    /// RFC 5267's rules for the RETURN options: one of ALL and PARTIAL (§4.4), and an UPDATE must not reuse the
    /// tag of a context still open (§4.3). Answers BAD when broken.
    func supportsReturnOptions(tag: String, _ options: [SearchReturnOption]?) -> Bool {
        guard let options else { return true }
        if options.contains(.partial) && options.contains(.all) {
            tagged(tag, .bad, "PARTIAL and ALL can't be used together.")
            return false
        }
        if options.contains(.update), selected?.searchContexts.contains(where: { $0.tag == tag }) == true {
            tagged(tag, .bad, "Tag reuse: an UPDATE context with this tag is still open.")
            return false
        }
        return true
    }

    /// Writes a SEARCH or SORT result: `* SEARCH`/`* SORT` without RETURN, else `* ESEARCH` (RFC 4731/5267),
    /// and keeps it for `$` when SAVE was asked for. `found` is in result order (sequence or sort order).
    func writeResult(
        _ found: [MessageState], tag: String, options: [SearchReturnOption]?, byUID: Bool,
        key: SearchKey, sorted: Bool, partial: ClosedRange<UInt32>? = nil
    ) {
        guard let view = selected?.view else { return }
        let numbers = found.map { view.number(of: $0.uid, byUID: byUID) ?? 0 }
        let byModSeq = Self.mentionsModSeq(key)
        if byModSeq { enableCondstore() }
        // IMAP4rev2 has no `* SEARCH`: a SEARCH without RETURN answers as RETURN (ALL) (RFC 9051 §6.4.4).
        guard let options = options ?? (imap4rev2 && !sorted ? [] : nil) else {
            let highest = byModSeq ? Self.highestModSeq(of: found) : nil
            return encoder.writeSearch(numbers, highestModSeq: highest, keyword: sorted ? "SORT" : "SEARCH", into: &output)
        }
        // An empty RETURN () means ALL; so does one with only UPDATE/CONTEXT, whose result the updates then change.
        let resultOptions = options.filter { $0 != .update && $0 != .context }
        let wanted = Set(resultOptions.isEmpty ? [.all] : resultOptions)
        let highest = byModSeq ? Self.highestModSeq(of: Self.reported(found, wanted: wanted, partial: partial)) : nil
        if wanted.contains(.save) {
            // RFC 5182 §2.4: with only MIN and/or MAX beside SAVE, only those messages are kept.
            let onlyEnds = !wanted.contains(.all) && !wanted.contains(.count) && (wanted.contains(.min) || wanted.contains(.max))
            var saved = found.map(\.uid)
            if onlyEnds {
                saved = [wanted.contains(.min) ? found.first?.uid : nil, wanted.contains(.max) ? found.last?.uid : nil]
                    .compactMap { $0 }
            }
            selected?.view.savedSearch = Array(Set(saved)).sorted()
            if wanted == [.save] { return }
        }
        // ESORT (RFC 5267): MIN and MAX are the first and last in sort order, ALL keeps that order.
        encoder.writeESearch(
            ESearchResponse(
                tag: tag, uid: byUID,
                min: wanted.contains(.min) ? (sorted ? numbers.first : numbers.min()) : nil,
                max: wanted.contains(.max) ? (sorted ? numbers.last : numbers.max()) : nil,
                count: wanted.contains(.count) ? UInt32(numbers.count) : nil,
                all: wanted.contains(.all) && !numbers.isEmpty
                    ? (sorted ? SequenceSetFormatter.runs(numbers) : SequenceSetFormatter.compact(numbers)) : nil,
                modSeq: highest,
                partial: partial.map { Self.partialResult(numbers, range: $0, sorted: sorted) }),
            into: &output)
    }

    /// RFC 5267 §4.4: the results at positions `range` (1-based) of the whole result, in result order.
    static func partialResult(_ numbers: [UInt32], range: ClosedRange<UInt32>, sorted: Bool) -> ESearchPartial {
        let lower = Int(range.lowerBound) - 1
        let upper = min(Int(range.upperBound), numbers.count)
        let slice = lower < upper ? Array(numbers[lower..<upper]) : []
        return ESearchPartial(range: range, messages: sorted ? SequenceSetFormatter.runs(slice) : SequenceSetFormatter.compact(slice))
    }

    /// RFC 7162 §3.1.5 (and RFC 4731 §3.2): a search by MODSEQ reports the highest MODSEQ of the messages it
    /// returns, nil when it returns none.
    static func highestModSeq(of messages: [MessageState]) -> UInt64? {
        messages.map { UInt64($0.modSeq) }.max()
    }

    /// The messages an ESEARCH answer returns: all of them for ALL or COUNT, else only the MIN and MAX ones (first
    /// and last in result order) and those in the PARTIAL range. SAVE alone returns nothing.
    static func reported(_ found: [MessageState], wanted: Set<SearchReturnOption>, partial: ClosedRange<UInt32>?) -> [MessageState] {
        if wanted.contains(.all) || wanted.contains(.count) { return found }
        var reported: [MessageState] = []
        if wanted.contains(.min), let first = found.first { reported.append(first) }
        if wanted.contains(.max), let last = found.last { reported.append(last) }
        if let partial {
            let lower = Int(partial.lowerBound) - 1
            let upper = min(Int(partial.upperBound), found.count)
            if lower < upper { reported += found[lower..<upper] }
        }
        return reported
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
        case .bcc(let text): return .address(field: "bcc", contains: text)
        case .cc(let text): return .address(field: "cc", contains: text)
        case .from(let text): return .address(field: "from", contains: text)
        case .to(let text): return .address(field: "to", contains: text)
        case .subject(let text): return .subject(text)
        case .header(let name, let value): return .header(name: name.lowercased(), contains: value)
        case .body(let text): return .body(text)
        case .text(let text): return .text(text)
        case .before(let date): return .internalDate(DayComparison(.before, date))
        case .on(let date): return .internalDate(DayComparison(.on, date))
        case .since(let date): return .internalDate(DayComparison(.since, date))
        case .sentBefore(let date): return .sentDate(DayComparison(.before, date))
        case .sentOn(let date): return .sentDate(DayComparison(.on, date))
        case .sentSince(let date): return .sentDate(DayComparison(.since, date))
        case .savedBefore(let date): return .saveDate(DayComparison(.before, date))
        case .savedOn(let date): return .saveDate(DayComparison(.on, date))
        case .savedSince(let date): return .saveDate(DayComparison(.since, date))
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
}
