import ExecutorPreference
import MetaCache
import ObjectStore

extension MailUser {
    /// `mail_prefetch_count` for callers that stream bodies (IMAP FETCH); 0 means one at a time.
    public nonisolated var prefetchCount: Int { configuration.prefetchCount }

    /// The stored bytes of one message (through the fscache when the pipeline has one).
    public func body(of message: MessageSummary) async throws -> [UInt8] {
        do {
            return try await mapErrors { try await store.get(layout.bucketKey(message.objectKey), range: nil).body }
        } catch let error as StorageError where error.isMissingObject {
            await objectMissing(message.objectKey)
            throw StorageError.store(user: name, StoreFailure(.notFound(key: layout.bucketKey(message.objectKey))))
        }
    }

    /// Bodies of many messages, in the order given, fetched `prefetch` at a time in parallel
    /// (`mail_prefetch_count`), so a client reading 100 uncached mails waits about 100/prefetch
    /// round trips to the store instead of 100. Each comes with its position in `messages`.
    /// `prefixLengths`, when given, holds for each message how many of its first bytes to read (nil: the whole
    /// object), e.g. just the header: a ranged GET.
    /// A message expunged meanwhile (another session's EXPUNGE deleted its object between the caller's index
    /// read and the GET) is left out, as a message expunged before the read would be; an object missing
    /// although the index still refers to it is an error (and `obox_autofix_storage`'s business).
    public nonisolated func bodies(
        of messages: [MessageSummary], prefetch: Int,
        prefixLengths: [Int?]? = nil
    ) -> AsyncThrowingStream<(Int, MessageSummary, [UInt8]), any Error> {
        let store = self.store
        let layout = self.layout
        let user = self.name
        // mail_prefetch_count = 0 is "no prefetch": still one GET at a time.
        let window = max(1, prefetch)
        return AsyncThrowingStream { continuation in
            let preferred = PreferredExecutor.current
            let producer = Task(executorPreference: preferred) {
                var inFlight: [(position: Int, body: Task<[UInt8], any Error>)] = []
                var next = 0
                func startMore() {
                    while next < messages.count, inFlight.count < window {
                        let key = layout.bucketKey(messages[next].objectKey)
                        let range = prefixLengths?[next].map { ByteRange(offset: 0, length: Int64($0)) }
                        inFlight.append((next, Task(executorPreference: preferred) { try await store.get(key, range: range).body }))
                        next += 1
                    }
                }
                do {
                    startMore()
                    while !inFlight.isEmpty {
                        let (position, body) = inFlight.removeFirst()
                        do {
                            continuation.yield((position, messages[position], try await body.value))
                        } catch ObjectStoreError.notFound(let key) {
                            // Expunged since the caller read the rows: nothing to send for it.
                            guard try await self.index.referenceCount(of: messages[position].objectKey) == 0 else {
                                throw ObjectStoreError.notFound(key: key)
                            }
                        }
                        startMore()
                    }
                    continuation.finish()
                } catch let error as ObjectStoreError {
                    inFlight.forEach { $0.body.cancel() }
                    if case .notFound(let key) = error, let missing = messages.first(where: { layout.bucketKey($0.objectKey) == key }) {
                        await self.objectMissing(missing.objectKey)
                    }
                    continuation.finish(throwing: StorageError.store(user: user, StoreFailure(error)))
                } catch {
                    inFlight.forEach { $0.body.cancel() }
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in producer.cancel() }
        }
    }
}
