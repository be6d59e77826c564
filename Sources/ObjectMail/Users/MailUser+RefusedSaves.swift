import Foundation
import ObjectStore
import S3Client

extension MailUser {
    /// Records the objects of a save about to be answered with a failure and starts deleting them.
    /// `existing`: stored for sure (one DELETE settles them); `uncertain`: PUTs that failed here, which the
    /// server may still complete, so their keys are deleted again after `RefusedSaves.lateCompletionHorizon`.
    func refuseSaves(existing: [String], uncertain: [String]) {
        let now = Date()
        var recorded = refusedSaves.add(existing, settledAfter: now)
        recorded = refusedSaves.add(uncertain, settledAfter: now.addingTimeInterval(RefusedSaves.lateCompletionHorizon)) && recorded
        if !recorded {
            logger.error(
                "refused saves could not be written to the metacache; this process still deletes them",
                metadata: ["objects": "\(existing.count + uncertain.count)"])
        }
        refusedRetirement?.cancel()
        refusedRetirement = nil
        scheduleRefusedRetirement()
    }

    /// Deletes the refused saves' objects now and then again whenever an entry's horizon passes, until the
    /// ledger is empty; failed DELETEs are retried a minute later. Never on a client's path.
    func scheduleRefusedRetirement() {
        guard refusedRetirement == nil, !refusedSaves.isEmpty else { return }
        // Started by the failing save, which is answered at once: these deletes must outlive its deadline.
        refusedRetirement = Task {
            await OperationDeadline.withoutDeadline {
                var delay: TimeInterval = 0
                while !Task.isCancelled {
                    if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
                    guard !Task.isCancelled else { return }
                    guard let next = await retireRefusedSaves() else { break }
                    delay = max(1, next.timeIntervalSinceNow)
                }
                refusedRetirementEnded()
            }
        }
    }

    private func refusedRetirementEnded() {
        refusedRetirement = nil
    }

    /// One round: DELETE every refused key, drop the entries settled by it. Returns when the next round is due,
    /// or nil when the ledger is empty.
    func retireRefusedSaves() async -> Date? {
        let started = Date()
        let entries = Array(refusedSaves.entries.values)
        guard !entries.isEmpty else { return nil }
        var failed = Set<String>()
        for start in stride(from: 0, to: entries.count, by: configuration.maxParallelDeletes) {
            let batch = entries[start..<min(start + configuration.maxParallelDeletes, entries.count)].map(\.key)
            do {
                let failures = try await store.deleteMany(batch.map(layout.bucketKey))
                failed.formUnion(failures.map(\.key))
                if let first = failures.first, let inARow = refusedDeleteFailures.failed() {
                    logger.warning(
                        "could not delete refused saves' objects, will retry",
                        metadata: [
                            "objects": "\(failures.count)", "key": "\(first.key)", "code": "\(first.code)", "failures_in_a_row": "\(inARow)"
                        ])
                }
            } catch is CancellationError {
                // A newer refusal restarted the round: not a failure of the store.
                failed.formUnion(batch.map(layout.bucketKey))
            } catch {
                failed.formUnion(batch.map(layout.bucketKey))
                if let inARow = refusedDeleteFailures.failed() {
                    logger.warning("deleting refused saves' objects failed, will retry: \(error)", metadata: ["failures_in_a_row": "\(inARow)"])
                }
            }
        }
        if failed.isEmpty { refusedDeleteFailures.succeeded() }
        let settled = entries.filter { !failed.contains(layout.bucketKey($0.key)) && $0.settledAfter <= started }.map(\.key)
        refusedSaves.settle(settled)
        guard !refusedSaves.isEmpty else { return nil }
        let retry = started.addingTimeInterval(60)
        let nextHorizon = refusedSaves.entries.values.map(\.settledAfter).filter { $0 > started }.min()
        return failed.isEmpty ? (nextHorizon ?? retry) : min(retry, nextHorizon ?? retry)
    }
}
