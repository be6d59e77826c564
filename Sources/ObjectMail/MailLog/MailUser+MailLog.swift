import Foundation
import Logging
import MailModel
import MetaCache

/// The mail_log plugin's events, written after the index change they describe committed (Dovecot logs them at
/// transaction commit). Reading what a line needs costs index reads only when the event is configured.
extension MailUser {
    /// The session's logger (its prefix), naming this user even when the session has not recorded the user yet
    /// (mailboxes created while the login opens the user).
    var mailLogger: Logger {
        guard var session = MailLogContext.sessionLogger else { return logger }
        if session[metadataKey: "user"] == nil { session[metadataKey: "user"] = "\(name)" }
        return session
    }

    func mailLogWants(_ event: MailLogConfiguration.Event) -> Bool { configuration.mailLog?.wants(event) ?? false }

    /// One line per message: `description: box=…, uid=…, …`. `uids` gives the UID each line names (a copy's new UID);
    /// nil: the record's own. `keywordsOf`: the mailbox whose keyword table the records' keyword bits index (a copy's
    /// source), if not `box`.
    /// `keywordNames`: given when the mailbox is gone by the time the line is written (DELETE).
    func mailLogMessages(
        _ event: MailLogConfiguration.Event, _ description: String, _ records: [MessageRecord],
        box: Mailbox, uids: [UInt32]? = nil, keywordsOf: Mailbox? = nil,
        keywordNames known: [Int: String]? = nil
    ) async {
        guard let mailLog = configuration.mailLog, mailLog.wants(event), !records.isEmpty else { return }
        var keywordNames = known ?? [:]
        if known == nil, mailLog.fields.contains(.flags) {
            keywordNames = (try? await index.keywordNames(in: (keywordsOf ?? box).id.value)) ?? [:]
        }
        let logger = mailLogger
        for (position, record) in records.enumerated() {
            let uid = uids.map { $0[position] } ?? record.uid
            logger.info("\(MailLogLine.message(description, record: record, uid: uid, box: box.name, fields: mailLog.fields, keywordNames: keywordNames))")
        }
    }

    /// `Mailbox created: NAME`, `Mailbox deleted: NAME`, `Mailbox renamed: OLD -> NEW`.
    func mailLogMailbox(_ event: MailLogConfiguration.Event, _ names: String...) {
        guard mailLogWants(event) else { return }
        let shown = names.map { MailLogLine.sanitized($0, maxBytes: MailLogLine.mailboxNameLength) }
        switch event {
        case .mailboxCreate: mailLogger.info("Mailbox created: \(shown[0])")
        case .mailboxDelete: mailLogger.info("Mailbox deleted: \(shown[0])")
        case .mailboxRename: mailLogger.info("Mailbox renamed: \(shown[0]) -> \(shown[1])")
        default: break
        }
    }

    /// The records an expunge among `uids` may remove, read before it (afterwards they are gone). `onlyDeleted`:
    /// IMAP EXPUNGE/CLOSE, which remove only the messages flagged \Deleted.
    func mailLogExpungeCandidates(_ uids: UIDSet, in box: Mailbox, onlyDeleted: Bool) async -> [MessageRecord] {
        guard mailLogWants(.expunge) else { return [] }
        do {
            if onlyDeleted {
                // The flags from the listing first, so only the \Deleted rows' cached fields are read.
                let deleted = try await index.messageStates(in: box.id.value).filter { $0.flags.contains(.deleted) && uids.contains($0.uid) }
                guard !deleted.isEmpty else { return [] }
                return try await index.messages(UIDSet(deleted.map(\.uid)), in: box.id.value)
            }
            return try await index.messages(uids, in: box.id.value)
        } catch {
            mailLogger.warning("mail_log: could not read the messages being expunged: \(error)")
            return []
        }
    }

    /// After an expunge: `expunge` (or `autoexpunge`) lines for the candidates the index really removed.
    func mailLogExpunged(_ candidates: [MessageRecord], result: ExpungeResult, in box: Mailbox, description: String = "expunge") async {
        guard !candidates.isEmpty else { return }
        let removed = Set(result.expungedUIDs)
        await mailLogMessages(.expunge, description, candidates.filter { removed.contains($0.uid) }, box: box)
    }

    /// Flag changes, told apart as Dovecot does: \Deleted set is `delete`, cleared is `undelete`, any other system
    /// flag change is `flag_change`, and a keyword change is one more `flag_change` line.
    func mailLogFlagChanges(before: [MessageRecord], after changed: [MessageState], in box: Mailbox) async {
        guard let mailLog = configuration.mailLog, !changed.isEmpty, !before.isEmpty else { return }
        let old = Dictionary(before.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        let names = (try? await index.keywordNames(in: box.id.value)) ?? [:]
        let positions = Dictionary(names.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        for state in changed {
            guard var record = old[state.uid] else { continue }
            let oldFlags = record.systemFlags
            let oldKeywords = record.keywords
            record.flags = state.flags.rawValue
            record.keywords = state.keywords.reduce(Int64(0)) { mask, name in positions[name].map { mask | (1 << Int64($0)) } ?? mask }
            if oldFlags != state.flags {
                let event: MailLogConfiguration.Event =
                    oldFlags.contains(.deleted) == state.flags.contains(.deleted)
                    ? .flagChange : oldFlags.contains(.deleted) ? .undelete : .delete
                if mailLog.wants(event) {
                    mailLogger.info(
                        "\(MailLogLine.message(event.rawValue, record: record, uid: record.uid, box: box.name, fields: mailLog.fields, keywordNames: names))")
                }
            }
            if oldKeywords != record.keywords, mailLog.wants(.flagChange) {
                mailLogger.info(
                    "\(MailLogLine.message("flag_change", record: record, uid: record.uid, box: box.name, fields: mailLog.fields, keywordNames: names))")
            }
        }
    }

    /// The records a STORE changes, read before it when a flag event is logged.
    func mailLogFlagCandidates(_ uids: UIDSet, in box: Mailbox) async -> [MessageRecord] {
        guard mailLogWants(.delete) || mailLogWants(.undelete) || mailLogWants(.flagChange) else { return [] }
        return (try? await index.messages(uids, in: box.id.value)) ?? []
    }

    /// `save` lines for messages just saved (APPEND, LMTP): the new rows are read back from the index.
    func mailLogSaved(_ assigned: AssignedUIDs, in box: Mailbox) async {
        guard mailLogWants(.save), !assigned.destinationUIDs.isEmpty else { return }
        let records = (try? await index.messages(UIDSet(assigned.destinationUIDs), in: box.id.value)) ?? []
        await mailLogMessages(.save, "save", records, box: box)
    }

    /// `copy from SOURCE` lines for COPY and MOVE, naming the destination box and new UIDs.
    func mailLogCopied(_ records: [MessageRecord], assigned: AssignedUIDs, from source: Mailbox, to destination: Mailbox) async {
        guard mailLogWants(.copy), !assigned.destinationUIDs.isEmpty else { return }
        let bySource = Dictionary(records.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        var copied: [MessageRecord] = []
        var uids: [UInt32] = []
        for (sourceUID, destinationUID) in zip(assigned.sourceUIDs, assigned.destinationUIDs) {
            guard let record = bySource[sourceUID] else { continue }
            copied.append(record)
            uids.append(destinationUID)
        }
        let description = "copy from " + MailLogLine.sanitized(source.name, maxBytes: MailLogLine.mailboxNameLength)
        await mailLogMessages(.copy, description, copied, box: destination, uids: uids, keywordsOf: source)
    }
}
