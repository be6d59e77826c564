import Foundation
import MetaCache

extension MailUser {
    /// Every mailbox, plus the names that exist only as parents of others, sorted by name.
    public func listMailboxes() async throws -> [MailboxListing] {
        try await mapErrors {
            let records = try await index.mailboxes()
            let subscribed = Set(try await index.subscriptions())
            let configuredUse = Dictionary(
                configuration.mailboxes.compactMap { box in box.specialUse.map { (box.name.value, $0) } },
                uniquingKeysWith: { first, _ in first })
            var listings: [String: MailboxListing] = [:]
            for record in records {
                guard let name = try? MailboxName(record.name) else { continue }
                listings[record.name] = MailboxListing(
                    name: name, exists: true, hasChildren: false,
                    subscribed: subscribed.contains(record.name),
                    specialUse: record.specialUse ?? configuredUse[record.name])
                for ancestor in name.ancestors where listings[ancestor]?.exists != true {
                    guard let parent = try? MailboxName(ancestor) else { continue }
                    listings[ancestor] = MailboxListing(
                        name: parent, exists: false, hasChildren: true,
                        subscribed: subscribed.contains(ancestor), specialUse: nil)
                }
            }
            for record in records {
                guard let name = try? MailboxName(record.name) else { continue }
                for ancestor in name.ancestors { listings[ancestor]?.hasChildren = true }
            }
            return listings.values.sorted { $0.name < $1.name }
        }
    }

    /// The mailbox with this name, or `mailboxNotFound`.
    public func mailbox(_ raw: String) async throws -> Mailbox {
        let name = try parseName(raw)
        return try await mapErrors {
            guard let record = try await index.mailbox(named: name.value) else {
                throw StorageError.mailboxNotFound(user: self.name, mailbox: name.value)
            }
            return Mailbox(record)
        }
    }

    /// CREATE. Parents are not created; they list as \Noselect until created themselves.
    @discardableResult
    public func createMailbox(_ raw: String, specialUse: String? = nil, origin: UUID? = nil) async throws -> Mailbox {
        let name = try parseName(raw)
        return try await mapErrors {
            let mailbox = try await createIndexMailbox(name, specialUse: specialUse, origin: origin)
            logger.info("mailbox created", metadata: ["box": "\(name)"])
            return mailbox
        }
    }

    /// DELETE. The mailbox's messages go, and objects nothing else refers to are deleted from the
    /// store in bulk. Mailboxes below it stay, and its name remains as their \Noselect parent.
    public func deleteMailbox(_ raw: String, origin: UUID? = nil) async throws {
        let name = try parseName(raw)
        guard !name.isInbox else {
            throw StorageError.notAllowed(user: self.name, mailbox: name.value, reason: "INBOX can't be deleted")
        }
        try await mapErrors {
            guard let mailbox = try await index.mailbox(named: name.value).map(Mailbox.init) else {
                let hasChildren = try await index.mailboxes().contains { name.isAncestor(of: (try? MailboxName($0.name)) ?? .inbox) }
                if hasChildren {
                    throw StorageError.notAllowed(user: self.name, mailbox: name.value, reason: "Name has inferior hierarchical names")
                }
                throw StorageError.mailboxNotFound(user: self.name, mailbox: name.value)
            }
            // Dovecot expunges a deleted mailbox's messages first, and mail_log writes a line for each.
            let logged = await mailLogExpungeCandidates(.all, in: mailbox, onlyDeleted: false)
            let keywords = logged.isEmpty ? [:] : (try? await index.keywordNames(in: mailbox.id.value)) ?? [:]
            _ = try await index.deleteMailbox(named: name.value)
            await mailLogMessages(.expunge, "expunge", logged, box: mailbox, keywordNames: keywords)
            mailLogMailbox(.mailboxDelete, mailbox.name)
            publish(MailEvent(mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin, change: .mailboxGone))
            publish(MailEvent(mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin, change: .mailboxDeleted(name: mailbox.name)))
            logger.info("mailbox deleted", metadata: ["box": "\(name)"])
        }
        await deletePendingObjects()
    }

    /// RENAME, with the mailboxes below it. Renaming INBOX moves its messages to a new mailbox
    /// and leaves INBOX empty, as RFC 3501 says.
    public func renameMailbox(_ rawOld: String, to rawNew: String, origin: UUID? = nil) async throws {
        let old = try parseName(rawOld)
        let new = try parseName(rawNew)
        // Onto itself is "already exists", as Dovecot answers it (RFC 5530 ALREADYEXISTS); below itself cannot be.
        if old == new { throw StorageError.mailboxExists(user: name, mailbox: new.value) }
        if old.isAncestor(of: new) {
            throw StorageError.notAllowed(user: name, mailbox: old.value, reason: "Can't rename a mailbox below itself")
        }
        try await mapErrors {
            if try await index.mailbox(named: new.value) != nil {
                throw StorageError.mailboxExists(user: name, mailbox: new.value)
            }
            if old.isInbox {
                let inbox = try await mailbox(old.value)
                let target = try await createIndexMailbox(new, specialUse: nil, origin: origin)
                let (copied, expunged) = try await index.moveMessages(.all, from: inbox.id.value, to: target.id.value)
                // INBOX itself stays, emptied: its watchers (IDLE, NOTIFY) hear of it like of a MOVE.
                publishAppended(copied, to: target, origin: origin)
                publishExpunged(expunged, in: inbox, origin: origin)
            } else {
                // Every mailbox that moves (children too) is announced under its old and new name.
                let moving = try await index.mailboxes().filter { record in
                    record.name == old.value || ((try? MailboxName(record.name)).map(old.isAncestor(of:)) ?? false)
                }
                try await index.renameMailbox(old.value, to: new.value)
                for record in moving {
                    let renamed = new.value + record.name.dropFirst(old.value.count)
                    publish(
                        MailEvent(
                            mailboxID: MailboxID(record.id), mailboxName: renamed, origin: origin,
                            change: .mailboxRenamed(from: record.name, to: renamed)))
                }
            }
            logger.info("mailbox renamed", metadata: ["box": "\(old)", "to": "\(new)"])
            mailLogMailbox(.mailboxRename, old.value, new.value)
        }
    }

    public func setSubscribed(_ raw: String, _ subscribed: Bool, origin: UUID? = nil) async throws {
        let name = try parseName(raw)
        try await mapErrors {
            let before = try await index.subscriptions().contains(name.value)
            try await index.setSubscribed(name.value, subscribed)
            // Only a real change is an event: SUBSCRIBE of a subscribed name tells nobody anything.
            guard before != subscribed else { return }
            let record = try await index.mailbox(named: name.value)
            publish(
                MailEvent(
                    mailboxID: record.map { MailboxID($0.id) }, mailboxName: name.value, origin: origin,
                    change: .subscriptionChanged(name: name.value, subscribed: subscribed)))
        }
    }
}
