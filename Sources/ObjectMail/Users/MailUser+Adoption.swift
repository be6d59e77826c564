import Foundation
import MIME
import MetaCache
import ObjectStore
import S3Client

extension MailUser {
    /// Adopts objects no bundle mentioned: mail saved after the last upload (crash) or every mail
    /// when the bundles are gone. Each is read once (its metadata and bytes) and added to the
    /// mailbox it is stored under; a folder no bundle names is recreated under the name saved in
    /// the objects' metadata. Returns how many messages were adopted.
    func adopt(_ report: IndexLoader.Report) async throws -> Int {
        var adopted = 0
        // A save that completed (or is still running) since the listing adds its own row.
        let referenced = try await mapErrors { try await index.referencedObjects() }
        for (guid, listed) in report.orphans.sorted(by: { $0.key < $1.key }) {
            // A refused save's object is deleted, never adopted; a key ending in `/` is a store's directory marker
            // (an empty folder's prefix), not a message.
            let orphans = listed.filter {
                let key = BundleNames.relativeKey($0.key, prefix: layout.prefix)
                return !referenced.contains(key) && !savesInFlight.contains(key) && !refusedSaves.contains(key) && !key.hasSuffix("/")
            }
            guard !orphans.isEmpty else { continue }
            var fetched: [(ObjectInfo, [UInt8])] = []
            var failure: (any Error)?
            for orphan in orphans {
                let object: StoredObject
                do {
                    // One failed read must not fail the whole load: with a hundred objects to adopt and a store that
                    // fails now and then, a login would almost never get through.
                    let store = self.store
                    let key = orphan.key
                    object = try await mapErrors { try await TemporaryFailureRetry.run { try await store.get(key) } }
                } catch {
                    failure = error
                    break
                }
                // Every mail object this server writes carries its GUID; anything else in the folder is not mail.
                guard object.info.metadata[MailObjectMetadata.guid] != nil else {
                    logger.warning("object without mail metadata left alone by the rescan", metadata: ["key": "\(orphan.key)"])
                    continue
                }
                fetched.append((object.info, object.body))
            }
            guard !fetched.isEmpty else {
                if let failure { throw failure }
                continue
            }
            fetched.sort { ($0.0.metadata[MailObjectMetadata.saved] ?? "", $0.0.key) < ($1.0.metadata[MailObjectMetadata.saved] ?? "", $1.0.key) }
            let mailbox = try await mailboxForAdoption(guid: guid, metadata: fetched.first?.0.metadata ?? [:])
            let messages = fetched.map { info, bytes in
                let received =
                    info.metadata[MailObjectMetadata.received].flatMap(Int64.init)
                    ?? Int64(info.lastModified?.timeIntervalSince1970 ?? 0)
                let saved = info.metadata[MailObjectMetadata.saved].flatMap(Int64.init) ?? received
                return NewMessage(
                    parsed: MIMEMessage.parse(bytes), guid: info.metadata[MailObjectMetadata.guid] ?? UniqueID.make(),
                    objectKey: BundleNames.relativeKey(info.key, prefix: layout.prefix),
                    size: bytes.count, internalDate: received, saveDate: saved)
            }
            _ = try await mapErrors { try await index.appendMessages(messages, toMailbox: mailbox.id.value) }
            adopted += messages.count
            logger.info("adopted mail from the bucket", metadata: ["box": "\(mailbox.name)", "count": "\(messages.count)"])
            // What was read is kept: the next attempt adopts only the rest.
            if let failure {
                scheduleUpload()
                throw failure
            }
        }
        if adopted > 0 { scheduleUpload() }
        return adopted
    }

    private func mailboxForAdoption(guid: String, metadata: [String: String]) async throws -> Mailbox {
        if let existing = try await mapErrors({ try await index.mailbox(guid: guid) }) { return Mailbox(existing) }
        let savedName = metadata[MailObjectMetadata.originalMailboxName]?.removingPercentEncoding
        let recovered = try parseName("Recovered/\(guid)")
        var name = (try? MailboxName(savedName ?? "")) ?? recovered
        if try await mapErrors({ try await index.mailbox(named: name.value) }) != nil {
            name = recovered
        }
        return try await mapErrors { try await createIndexMailbox(name, specialUse: nil, guid: guid) }
    }
}
