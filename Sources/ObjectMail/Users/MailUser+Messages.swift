import MetaCache

extension MailUser {
    /// COPY inside the user: new index rows referring to the same objects. No store request.
    public func copyMessages(_ uids: UIDSet, from source: MailboxRecord, to destination: MailboxRecord) async throws -> AssignedUIDs {
        try await mapErrors { try await index.copyMessages(uids, from: source.id!, to: destination.id!) }
    }

    /// MOVE inside the user: copy by reference and expunge the originals. No store request.
    public func moveMessages(_ uids: UIDSet, from source: MailboxRecord, to destination: MailboxRecord) async throws -> (AssignedUIDs, ExpungeResult) {
        try await mapErrors { try await index.moveMessages(uids, from: source.id!, to: destination.id!) }
    }

    /// EXPUNGE: the rows go at once; objects nothing refers to any more are deleted from the store
    /// in bulk requests (⌈N/1000⌉ DeleteObjects on S3).
    public func expungeMessages(_ uids: UIDSet, in mailbox: MailboxRecord) async throws -> ExpungeResult {
        let result = try await mapErrors { try await index.expungeMessages(uids, in: mailbox.id!) }
        if !result.releasedObjects.isEmpty { await deletePendingObjects() }
        return result
    }

    /// STORE flags and keywords, with CONDSTORE's UNCHANGEDSINCE.
    public func storeFlags(_ change: FlagChange, on uids: UIDSet, in mailbox: MailboxRecord,
                           unchangedSince: Int64? = nil) async throws -> FlagStoreResult {
        try await mapErrors { try await index.storeFlags(change, on: uids, in: mailbox.id!, unchangedSince: unchangedSince) }
    }

    public func messageStates(in mailbox: MailboxRecord) async throws -> [MessageState] {
        try await mapErrors { try await index.messageStates(in: mailbox.id!) }
    }

    public func messages(_ uids: UIDSet, in mailbox: MailboxRecord) async throws -> [MessageRecord] {
        try await mapErrors { try await index.messages(uids, in: mailbox.id!) }
    }

    /// The mailbox as the index has it now (UIDNEXT, HIGHESTMODSEQ …).
    public func refresh(_ mailbox: MailboxRecord) async throws -> MailboxRecord {
        try await self.mailbox(mailbox.name)
    }
}
