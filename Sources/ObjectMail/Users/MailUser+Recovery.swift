import Foundation
import MetaCache
import ObjectStore
import S3Client

extension MailUser {
    /// Brings the local index in line with the bucket (`IndexLoader.revalidate`) and adopts the
    /// objects no row refers to. Runs after an unclean shutdown and when another backend uploaded
    /// this user's index; one at a time per user.
    @discardableResult
    public func revalidate(reason: String) async throws -> IndexLoader.Report {
        // Another revalidation of this user is bounded by the deadline of whoever started it, not by ours.
        while let running = revalidation {
            try await OperationDeadline.value(of: running) {
                let detail = "mail_operation_deadline passed while the index was revalidated"
                return StorageError.store(user: self.name, StoreFailure(.unavailable(key: "", detail: detail, requestID: nil)))
            }
        }
        let task = Task { try await self.runRevalidation(reason: reason) }
        revalidation = Task { _ = try? await task.value }
        defer { revalidation = nil }
        return try await task.value
    }

    private func runRevalidation(reason: String) async throws -> IndexLoader.Report {
        guard let indexStore else { return IndexLoader.Report() }
        let start = ContinuousClock.now
        let report = try await mapLoadErrors {
            try await IndexLoader(store: indexStore, prefix: layout.prefix, logger: logger).revalidate(index: index)
        }
        let adopted = try await adopt(report)
        let merged = report.merged.values
        if !report.merged.isEmpty || report.dropped > 0 || adopted > 0 || report.mailboxesAdded > 0 { scheduleUpload() }
        logger.info(
            "index revalidated against the bucket",
            metadata: [
                "reason": "\(reason)", "lists": "\(report.listRequests)", "bundles": "\(report.bundlesRead)", "adopted": "\(adopted)",
                "dropped": "\(report.dropped)", "merged": "\(report.merged.count)", "renumbered": "\(merged.reduce(0) { $0 + $1.renumbered })",
                "elapsed": "\(ContinuousClock.now - start)"
            ])
        return report
    }

    /// One LIST of the user's root bundles: true if another backend uploaded since this index last
    /// wrote or loaded it.
    func anotherBackendUploaded() async throws -> Bool {
        guard let indexStore else { return false }
        return try await mapLoadErrors {
            try await IndexLoader(store: indexStore, prefix: layout.prefix, logger: logger).rootChanged(index: index)
        }
    }

    /// Runs a loader step, turning bundle errors into storage errors.
    func mapLoadErrors<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await mapErrors(body)
        } catch let error as BundleError {
            throw StorageError.index(IndexFailure(.database(user: name, detail: error.description)))
        }
    }

    /// A message's object answered 404. With `obox_autofix_storage = yes` the folder is listed and,
    /// if the object is not there (or a HEAD still says 404), every row referring to it is dropped;
    /// otherwise the loss is only logged with the key. The client's command fails either way.
    func objectMissing(_ relativeKey: String) async {
        let key = layout.bucketKey(relativeKey)
        guard configuration.metacache.autofixStorage else {
            logger.error("mail object missing from the bucket (obox_autofix_storage = no: kept in the index)", metadata: ["key": "\(key)"])
            return
        }
        do {
            let folder = String(key[..<(key.lastIndex(of: "/").map { key.index(after: $0) } ?? key.endIndex)])
            let listed = try await store.listAll(prefix: folder).contains { $0.key == key }
            if listed, (try? await store.stat(key)) != nil { return }
            let dropped = try await index.dropMessages(withObjects: [relativeKey])
            let modSeqs = Dictionary(try await index.mailboxes().map { ($0.id, $0.highestModSeq) }, uniquingKeysWith: { $1 })
            for (mailboxID, uids) in dropped {
                publish(MailEvent(mailboxID: MailboxID(mailboxID), origin: nil, change: .expunged(uids: uids, modSeq: modSeqs[mailboxID] ?? 0)))
            }
            scheduleUpload()
            logger.warning(
                "mail object missing from the bucket: dropped from the index (obox_autofix_storage = yes)",
                metadata: ["key": "\(key)", "messages": "\(dropped.values.reduce(0) { $0 + $1.count })"])
        } catch {
            logger.error("mail object missing from the bucket; autofix failed: \(error)", metadata: ["key": "\(key)"])
        }
    }
}

extension MailUser {
    /// Cold start: the user has no local index; it is built from the newest bundles, then the
    /// objects saved after them are adopted.
    func loadFromBucket() async throws {
        guard let indexStore else { return }
        let start = ContinuousClock.now
        let report = try await mapLoadErrors {
            try await IndexLoader(store: indexStore, prefix: layout.prefix, logger: logger).load(into: index)
        }
        let adopted = try await adopt(report)
        logger.info(
            "user loaded from the bucket",
            metadata: [
                "bundles": "\(report.bundlesRead)", "lists": "\(report.listRequests)", "adopted": "\(adopted)",
                "dropped": "\(report.dropped)", "broken": "\(report.brokenChains.count)", "elapsed": "\(ContinuousClock.now - start)"
            ])
    }
}
