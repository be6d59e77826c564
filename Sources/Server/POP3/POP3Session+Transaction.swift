import MailModel
import NIOCore
import ObjectMail

extension POP3Session {
    /// TRANSACTION state (RFC 1939 §5). STAT, LIST and UIDL answer from the session's snapshot of
    /// the index: no store request.
    func transaction(_ command: POP3Command) async {
        guard var maildrop else { return }
        switch command {
        case .capa:
            capabilities()
        case .noop:
            ok()
        case .stat:
            let (count, octets) = maildrop.statistics
            ok("\(count) \(octets)")
        case .list(nil):
            ok("\(maildrop.statistics.count) messages:")
            listing(maildrop) { "\($0.size)" }
        case .uidl(nil):
            ok()
            listing(maildrop) { $0.uidl }
        case .list(let number?):
            guard let index = find(number, in: maildrop) else { return }
            ok("\(number) \(maildrop.messages[index].size)")
        case .uidl(let number?):
            guard let index = find(number, in: maildrop) else { return }
            ok("\(number) \(maildrop.messages[index].uidl)")
        case .retr(let number):
            guard let index = find(number, in: maildrop) else { return }
            await send(index, bodyLines: nil)
        case .top(let number, let lines):
            guard let index = find(number, in: maildrop) else { return }
            await send(index, bodyLines: lines)
        case .dele(let number):
            guard let index = find(number, in: maildrop) else { return }
            maildrop.markDeleted(index)
            self.maildrop = maildrop
            ok("Marked to be deleted.")
        case .rset:
            maildrop.reset()
            self.maildrop = maildrop
            ok()
        case .quit:
            await update(maildrop)
        case .user, .pass, .apop, .auth, .stls:
            badCommand("\(command.name): Already logged in.")
        case .last:
            badCommand("Unknown command: LAST")
        }
    }

    /// The array index of a message number, or nil after answering -ERR.
    private func find(_ number: Int, in maildrop: POP3Maildrop) -> Int? {
        switch maildrop.lookup(number) {
        case .found(let index): return index
        case .deleted:
            error("Message is deleted.")
            return nil
        case .noSuchMessage:
            error("There's no message \(number).")
            return nil
        }
    }

    private func listing(_ maildrop: POP3Maildrop, _ value: (POP3Message) -> String) {
        for (offset, message) in maildrop.messages.enumerated() where !message.deleted {
            output.writeString("\(offset + 1) \(value(message))\r\n")
        }
        output.writeString(".\r\n")
    }

    /// RETR or TOP: the body, read through the fscache (and prefetched ahead for in-order reads).
    private func send(_ index: Int, bodyLines: Int?) async {
        guard var fetcher, let maildrop else { return }
        let bytes: [UInt8]
        do {
            bytes = try await fetcher.body(at: index, in: maildrop)
            self.fetcher = fetcher
        } catch {
            self.fetcher = fetcher
            return bodyFailed(error, index: index, maildrop: maildrop)
        }
        let message = maildrop.messages[index]
        if bodyLines == nil {
            ok("\(message.size) octets")
        } else {
            ok()
        }
        let written = writer.write(bytes, bodyLines: bodyLines, into: &output)
        if bodyLines != nil {
            statistics.topCount += 1
            statistics.topBytes += written
        } else {
            statistics.retrCount += 1
            statistics.retrBytes += written
            self.maildrop?.markRetrieved(index)
        }
        await flush()
    }

    private func bodyFailed(_ failure: any Error, index: Int, maildrop: POP3Maildrop) {
        let key = maildrop.messages[index].record.objectKey
        if (failure as? StorageError)?.isMissingObject == true {
            // Expunged by another session since this one started (its snapshot still lists it).
            logger.info("message \(index + 1) was expunged by another session: \(key)")
            return error("Message was expunged by another session.")
        }
        logger.error("cannot read message \(index + 1) (\(key)): \(failure)")
        let temporary = (failure as? StorageError)?.isTemporary ?? false
        error(temporary ? "[SYS/TEMP] Temporary storage failure, try again later." : "[SYS/PERM] Couldn't read the message.")
    }

    /// QUIT in TRANSACTION: the UPDATE state. Deletions become one expunge (one bulk DeleteObjects),
    /// or with `pop3_deleted_flag` one keyword change; retrieved messages get \Seen in one change.
    /// Messages expunged elsewhere meanwhile are simply no longer there to delete.
    private func update(_ maildrop: POP3Maildrop) async {
        guard let user = loggedIn?.mail else { return }
        let deleted = maildrop.deletedUIDs
        do {
            if !configuration.noFlagUpdates { await markSeen(maildrop, user: user) }
            statistics.updated = true
            if !deleted.isEmpty {
                let inbox = try await user.refresh(maildrop.mailbox)
                if configuration.deletedFlag.isEmpty {
                    let result = try await user.expungeMessages(deleted, in: inbox)
                    statistics.deletedCount = result.expungedUIDs.count
                } else {
                    let result = try await user.storeFlags(
                        FlagChange(.add, flags: [], keywords: [configuration.deletedFlag]),
                        on: deleted, in: inbox)
                    statistics.deletedCount = result.changed.count
                }
            }
            ok(deleted.isEmpty ? "Logging out." : "Logging out, messages deleted.")
            statistics.reason = "Logged out"
        } catch {
            logger.error("QUIT could not delete \(maildrop.deletedCount) messages: \(error)")
            self.error("[SYS/TEMP] Some deleted messages were not removed, try again later.")
            statistics.reason = "Logged out, update failed"
        }
        state = .closing
    }

    /// \Seen for the messages RETRieved in this session, in one index change.
    func markSeen(_ maildrop: POP3Maildrop, user: MailUser) async {
        let retrieved = maildrop.retrievedUIDs
        guard !retrieved.isEmpty else { return }
        do {
            _ = try await user.storeFlags(FlagChange(.add, flags: .seen), on: retrieved, in: maildrop.mailbox)
        } catch {
            logger.error("cannot set \\Seen on retrieved messages: \(error)")
        }
    }
}
