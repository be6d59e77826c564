import Foundation
import MIME
import MetaCache
import ObjectStore
import S3Client

extension MailUser {
    /// Starts the background upload loop if it is not running: it checks every
    /// `checkInterval` whether an upload is due and stops when nothing is pending.
    /// Uploads never delay the client's command.
    func scheduleUpload() {
        guard let bundler, uploadLoop == nil else { return }
        let interval = configuration.bundlePolicy.checkInterval
        // Started by whatever command changed the index, but no client waits for it: no operation deadline.
        uploadLoop = Task { [weak self] in
            await OperationDeadline.withoutDeadline {
                // While the store or the disk keeps failing, the checks back off (up to a minute) and the warning is
                // logged at the 1st, 2nd, 4th, 8th … failure in a row, not once a second per user.
                var failures = 0
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: Self.uploadDelay(after: failures, interval: interval))
                        try await bundler.uploadDue()
                        failures = 0
                    } catch is CancellationError {
                        break
                    } catch BundleError.anotherWriter {
                        // Another backend uploaded this user's index: merge its changes, then upload.
                        do {
                            try await self?.revalidate(reason: "another backend uploaded")
                            failures = 0
                        } catch {
                            failures += 1
                            await self?.logUploadFailure(error, inARow: failures)
                        }
                    } catch {
                        failures += 1
                        await self?.logUploadFailure(error, inARow: failures)
                    }
                    if await !bundler.hasPendingChanges { break }
                }
                await self?.uploadLoopEnded()
            }
        }
    }

    /// The check interval, doubled for every failure in a row, at most a minute.
    static func uploadDelay(after failures: Int, interval: Duration) -> Duration {
        guard failures > 0 else { return interval }
        let doubled = interval * (1 << min(failures, 16))
        return min(doubled, max(interval, .seconds(60)))
    }

    private func uploadLoopEnded() {
        uploadLoop = nil
    }

    private func logUploadFailure(_ error: any Error, inARow failures: Int) {
        guard RepeatedFailureLog.isLogged(failures) else { return }
        logger.warning("index bundle upload failed, will retry: \(error)", metadata: ["failures_in_a_row": "\(failures)"])
    }

    /// Uploads every change now (user unload, clean shutdown).
    public func flush() async throws {
        uploadLoop?.cancel()
        uploadLoop = nil
        try await mapErrors { try await index.writeConfirmedDeletes() }
        guard let bundler else { return }
        _ = try await mapLoadErrors {
            do {
                return try await bundler.flush()
            } catch BundleError.anotherWriter {
                try await revalidate(reason: "another backend uploaded")
                return try await bundler.flush()
            }
        }
    }

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
