import IMAPProtocol
import NIOCore
import ObjectMail

extension IMAPSession {
    func select(
        tag: String, mailbox name: String, readOnly: Bool, parameters: SelectParameters = SelectParameters(),
        user: MailUser
    ) async throws {
        if parameters.qresync != nil && !qresync { return tagged(tag, .bad, "QRESYNC isn't enabled.") }
        if parameters.condstore { condstore = true }
        if selected != nil {
            // RFC 7162 §3.2.11: marks where the old mailbox's responses end, even if this SELECT fails.
            selected = nil
            encoder.writeUntagged(.ok, code: .closed, "Previous mailbox closed.", into: &output)
        }
        let generation = user.indexGeneration
        let mailbox = try await user.mailbox(name)
        let states = try await user.messageStates(in: mailbox)
        let firstRecent = readOnly ? mailbox.firstRecentUID : try await claimRecent(in: mailbox, user: user)
        let view = MailboxView(messages: states, firstRecentUID: firstRecent)
        selected = SelectedMailbox(mailbox: mailbox, view: view, readOnly: readOnly, indexGeneration: generation)

        writeMailboxFlags(view.keywords.names, readOnly: readOnly)
        encoder.writeExists(view.count, into: &output)
        if imap4rev2 {
            // RFC 9051 §6.3.2: no RECENT or UNSEEN, but a LIST response with the mailbox's name and attributes.
            try await writeSelectedListing(mailbox.name, user: user)
        } else {
            encoder.writeRecent(UInt32(view.recent.count), into: &output)
        }
        if !imap4rev2, let firstUnseen = view.messages.firstIndex(where: { !$0.flags.contains(.seen) }) {
            encoder.writeUntagged(.ok, code: .unseen(UInt32(firstUnseen + 1)), "First unseen.", into: &output)
        }
        encoder.writeUntagged(.ok, code: .uidValidity(mailbox.uidValidity), "UIDs valid", into: &output)
        encoder.writeUntagged(.ok, code: .uidNext(mailbox.uidNext), "Predicted next UID", into: &output)
        encoder.writeUntagged(.ok, code: .highestModSeq(UInt64(max(mailbox.highestModSeq, 1))), "Highest", into: &output)
        if let resync = parameters.qresync { try await writeResync(resync, user: user) }
        tagged(tag, .ok, code: readOnly ? .readOnly : .readWrite, "\(readOnly ? "Examine" : "Select") completed.")
    }
}
