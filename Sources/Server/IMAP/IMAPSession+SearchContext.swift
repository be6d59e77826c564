import IMAPProtocol
import ObjectMail

/// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): SEARCH/SORT RETURN (UPDATE) results kept up to date with
/// unsolicited `* ESEARCH (TAG "t") ADDTO/REMOVEFROM`, and CANCELUPDATE.
extension IMAPSession {
    /// Starts keeping a result up to date, or says it will not (`NO [NOUPDATE]`, §4.3.1) beyond the limit.
    /// False when refused.
    func openSearchContext(_ context: SearchContext) -> Bool {
        guard var current = selected else { return false }
        guard current.searchContexts.count < SearchContext.limit else {
            encoder.writeUntagged(.no, code: .other("NOUPDATE", "\"\(context.tag)\""), "Too many contexts", into: &output)
            return false
        }
        current.searchContexts.append(context)
        selected = current
        return true
    }

    /// CANCELUPDATE "tag" …: those contexts stop; a tag that names no open context is refused.
    func cancelUpdate(tag: String, _ tags: [String]) {
        guard var current = selected else { return notSelected(tag) }
        let open = Set(current.searchContexts.map(\.tag))
        guard tags.allSatisfy(open.contains) else {
            return tagged(tag, .no, "CANCELUPDATE: no UPDATE context with that tag.")
        }
        current.searchContexts.removeAll { tags.contains($0.tag) }
        selected = current
        tagged(tag, .ok, "CANCELUPDATE completed.")
    }

    /// The changes of every open context since the client last heard of it, evaluated against the view as it is
    /// now (the client's result must become what the same command would answer now). Updates the contexts.
    func searchContextChanges(user: MailUser) async -> [(context: SearchContext, changes: [SearchContextChange])] {
        guard var current = selected, !current.searchContexts.isEmpty else { return [] }
        var result: [(context: SearchContext, changes: [SearchContextChange])] = []
        for index in current.searchContexts.indices {
            let context = current.searchContexts[index]
            do {
                let query = SearchTranslation(view: current.view).query(for: context.key)
                let found = Set(try await user.search(query, in: current.mailbox))
                var now = current.view.messages.map(\.uid).filter(found.contains)
                if let criteria = context.sortCriteria {
                    now = try await user.sort(now, in: current.mailbox, by: criteria.map(Self.storageCriterion))
                }
                let changes = SearchContextChange.between(context.results, now, sorted: context.sortCriteria != nil)
                current.searchContexts[index].results = now
                if !changes.isEmpty { result.append((current.searchContexts[index], changes)) }
            } catch {
                logger.error("updating search context \(context.tag) failed: \(error)")
            }
        }
        // Only the contexts changed here; the rest of `selected` is the caller's.
        selected?.searchContexts = current.searchContexts
        return result
    }

    /// RFC 5465 §7: the FETCH attributes a context asked for, of the new messages (UID above `largestBefore`) it
    /// adds, after their EXISTS and before the ADDTO; one FETCH per message however many contexts add it.
    func fetchAddedMessages(
        _ all: [(context: SearchContext, changes: [SearchContextChange])], newerThan largestBefore: UInt32,
        user: MailUser
    ) async {
        var attributes: [FetchAttribute] = []
        var uids = Set<UInt32>()
        for (context, changes) in all where !context.fetch.isEmpty {
            let added = changes.filter(\.added).flatMap(\.uids).filter { $0 > largestBefore }
            guard !added.isEmpty else { continue }
            uids.formUnion(added)
            attributes += context.fetch.filter { !attributes.contains($0) }
        }
        guard !uids.isEmpty else { return }
        let set = SequenceSet.ranges(SequenceSetFormatter.compact(uids.sorted()).map { SequenceRange(.number($0.lowerBound), .number($0.upperBound)) })
        do {
            _ = try await fetch(set, attributes: attributes, changedSince: nil, byUID: true, user: user)
        } catch {
            logger.error("FETCH for search context updates failed: \(error)")
        }
    }

    /// Writes the REMOVEFROM (`added` false) or ADDTO pairs of each context. Removals go out before EXPUNGE and
    /// additions after EXISTS (§4.3.3/§4.3.4), each with the sequence numbers of the view the client has then.
    func writeSearchContextChanges(
        _ all: [(context: SearchContext, changes: [SearchContextChange])], added: Bool,
        view: MailboxView
    ) {
        for (context, changes) in all {
            let wanted = changes.filter { $0.added == added }
            guard !wanted.isEmpty else { continue }
            let updates = wanted.map { change in
                let numbers = change.uids.compactMap { view.number(of: $0, byUID: context.byUID) }
                let set = context.sortCriteria == nil ? SequenceSetFormatter.compact(numbers) : SequenceSetFormatter.runs(numbers)
                return ESearchContextUpdate(added: change.added, position: change.position, messages: set)
            }
            // RFC 7162 §3.1.5: a search by MODSEQ reports the highest MODSEQ of the messages it adds.
            let modSeq =
                added && Self.mentionsModSeq(context.key)
                ? wanted.flatMap(\.uids).compactMap { view.state(of: $0).map { UInt64($0.modSeq) } }.max() : nil
            encoder.writeESearch(
                ESearchResponse(tag: context.tag, uid: context.byUID, modSeq: modSeq, updates: updates),
                into: &output)
        }
    }
}
