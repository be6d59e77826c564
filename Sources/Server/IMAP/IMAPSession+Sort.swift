import IMAPProtocol
import ObjectMail

/// SORT and SORT=DISPLAY (RFC 5256/5957) with ESORT (RFC 5267), and THREAD (RFC 5256): the storage
/// orders and threads from the index alone, so neither costs a GET.
extension IMAPSession {
    func sort(tag: String, _ command: SortCommand, byUID: Bool, user: MailUser) async throws {
        let options = command.returnOptions
        guard supportsReturnOptions(tag: tag, options), let current = selected else { return }
        guard
            let matches = try await matchingStates(
                tag: tag, command.key, charset: command.charset,
                saving: options?.contains(.save) == true, user: user)
        else { return }
        let order = try await user.sort(matches.map(\.uid), in: current.mailbox, by: command.criteria.map(Self.storageCriterion))
        let byUIDState = Dictionary(uniqueKeysWithValues: matches.map { ($0.uid, $0) })
        let sortedMatches = order.compactMap { byUIDState[$0] }
        let refused =
            options?.contains(.update) == true
            && !openSearchContext(
                SearchContext(
                    tag: tag, key: command.key, byUID: byUID, sortCriteria: command.criteria,
                    results: sortedMatches.map(\.uid), fetch: command.updateFetch))
        writeResult(sortedMatches, tag: tag, options: options, byUID: byUID, key: command.key, sorted: true, partial: command.partial)
        await synchronize()
        tagged(tag, .ok, refused ? "Sort completed, will not notify." : "Sort completed.")
    }

    func thread(tag: String, _ command: ThreadCommand, byUID: Bool, user: MailUser) async throws {
        guard let current = selected,
            let matches = try await matchingStates(tag: tag, command.key, charset: command.charset, saving: false, user: user)
        else { return }
        let algorithm = ObjectMail.ThreadAlgorithm(rawValue: command.algorithm.rawValue) ?? .references
        let threads = try await user.thread(matches.map(\.uid), in: current.mailbox, algorithm: algorithm)
        let view = current.view
        func node(_ thread: ObjectMail.ThreadNode) -> IMAPProtocol.ThreadNode {
            IMAPProtocol.ThreadNode(
                message: thread.uid.flatMap { view.number(of: $0, byUID: byUID) },
                children: thread.children.map(node))
        }
        encoder.writeThread(threads.map(node), into: &output)
        await synchronize()
        tagged(tag, .ok, "Thread completed.")
    }

    static func storageCriterion(_ criterion: IMAPProtocol.SortCriterion) -> ObjectMail.SortCriterion {
        let key: ObjectMail.SortCriterion.Key =
            switch criterion.key {
            case .arrival: .arrival
            case .cc: .cc
            case .date: .date
            case .from: .from
            case .size: .size
            case .subject: .subject
            case .to: .to
            case .displayFrom: .displayFrom
            case .displayTo: .displayTo
            }
        return ObjectMail.SortCriterion(key, reverse: criterion.reverse)
    }
}
