import Foundation
import Logging
import ObjectStore

/// Cold start: rebuilds a user's local index from the bucket — the newest root bundle, then each
/// mailbox's newest base with the diffs chained after it — and finds the objects no bundle
/// mentions (mail saved after the last upload, or every mail when the bundles are gone), which
/// the storage layer adopts.
public struct IndexLoader: Sendable {
    public struct Report: Sendable, Equatable {
        public var bundlesRead = 0
        /// Mailboxes whose diff chain was broken (a lost or overwritten bundle): loaded up to the break.
        public var brokenChains: [String] = []
        /// Objects no index row refers to, by the GUID of the folder they are stored under.
        public var orphans: [String: [ObjectInfo]] = [:]
        /// Folders that hold objects but are not in the root bundle.
        public var unknownMailboxGUIDs: [String] = []
        public var listRequests = 0
        /// Revalidation: mailboxes a newer root bundle added, and per folder what the merge changed.
        public var mailboxesAdded = 0
        public var merged: [String: MergeOutcome] = [:]
        /// Messages dropped because their objects are gone from the bucket.
        public var dropped = 0

        public init() {}
    }

    let store: any ObjectStore
    let prefix: String
    let logger: Logger
    /// Bundles downloaded in parallel.
    let parallelism: Int

    public init(store: any ObjectStore, prefix: String, logger: Logger, parallelism: Int = 10) {
        self.store = store
        self.prefix = prefix
        self.logger = logger
        self.parallelism = max(1, parallelism)
    }

    public func load(into index: UserIndex) async throws -> Report {
        var report = Report()
        let rootDirectory = BundleNames.rootDirectory(prefix: prefix)
        let roots = try await bundleNames(in: rootDirectory, report: &report)
        if let newest = roots.last {
            try await index.importRoot(try await readRoot(rootDirectory + newest, report: &report))
            try await index.setState(BundleState.rootKey, "\(newest) -")
        }
        let mailboxes = try await index.mailboxes()
        for mailbox in mailboxes {
            guard let (chain, names, sizes) = try await readChain(guid: mailbox.guid, report: &report), let folded = chain.folded else { continue }
            try await index.applyMailboxBundle(folded)
            try await index.setState(BundleState.key(mailbox.guid), Self.state(after: chain, names: names, sizes: sizes).encoded)
        }
        try await index.rebuildObjectReferences()
        try await rescan(index: index, knownGUIDs: Set(mailboxes.map(\.guid)), report: &report)
        return report
    }

    /// Brings an existing local index in line with the bucket (restart after a crash, or bundles
    /// another backend uploaded): a newer root adds the mailboxes it names, a folder whose newest
    /// bundle is not the one this index last uploaded or loaded is merged with the bucket's state
    /// (`UserIndex.mergeMailbox`) and gets a new base at the next upload, and the rescan drops rows
    /// whose objects are gone and reports objects no row refers to. Requests: one LIST of the root
    /// and of each folder's bundles, the GETs of changed chains, the LISTs of the rescan.
    public func revalidate(index: UserIndex) async throws -> Report {
        var report = Report()
        let rootDirectory = BundleNames.rootDirectory(prefix: prefix)
        let recordedRoot = try await index.state(BundleState.rootKey)?.split(separator: " ").first.map(String.init)
        if let newest = try await bundleNames(in: rootDirectory, report: &report).last, newest != recordedRoot {
            report.mailboxesAdded = try await index.mergeRoot(try await readRoot(rootDirectory + newest, report: &report))
            // "-" never matches a fingerprint: the next upload writes this backend's root.
            try await index.setState(BundleState.rootKey, "\(newest) -")
        }
        let mailboxes = try await index.mailboxes()
        for mailbox in mailboxes {
            let recorded = try await index.state(BundleState.key(mailbox.guid)).flatMap(BundleState.init)
            let directory = BundleNames.mailboxDirectory(prefix: prefix, guid: mailbox.guid)
            guard let newest = try await bundleNames(in: directory, report: &report).last, newest != recorded?.lastName,
                let (chain, _, _) = try await readChain(guid: mailbox.guid, report: &report), let folded = chain.folded
            else { continue }
            let mark = recorded.map { UploadMark(modSeq: $0.lastModSeq, uidNext: $0.lastUIDNext) }
            report.merged[mailbox.guid] = try await index.mergeMailbox(folded, mark: mark)
            // The next upload writes a base: a diff after a merge would follow no bundle in the bucket.
            try await index.setState(BundleState.key(mailbox.guid), nil)
        }
        try await index.rebuildObjectReferences()
        try await rescan(index: index, knownGUIDs: Set(mailboxes.map(\.guid)), report: &report)
        return report
    }

    /// One LIST: whether the newest root bundle in the bucket is not the one this index last wrote
    /// or loaded, i.e. another backend uploaded this user's index since (metacache_close_delay).
    public func rootChanged(index: UserIndex) async throws -> Bool {
        var report = Report()
        let recorded = try await index.state(BundleState.rootKey)?.split(separator: " ").first.map(String.init)
        let newest = try await bundleNames(in: BundleNames.rootDirectory(prefix: prefix), report: &report).last
        return newest != nil && newest != recorded
    }

    private func readRoot(_ key: String, report: inout Report) async throws -> RootBundle {
        let root = try BundleCodec.decodeRoot(try await TemporaryFailureRetry.run { try await store.get(key).body }, name: key)
        report.bundlesRead += 1
        return root
    }

    /// The newest base of a folder and the diffs after it, downloaded in parallel and folded.
    private func readChain(guid: String, report: inout Report) async throws -> (BundleChain, [String], [Int])? {
        let directory = BundleNames.mailboxDirectory(prefix: prefix, guid: guid)
        let names = try await bundleNames(in: directory, report: &report)
        guard let baseIndex = names.lastIndex(where: BundleNames.isBase) else { return nil }
        let chainNames = Array(names[baseIndex...])
        let bodies = try await download(chainNames.map { directory + $0 })
        report.bundlesRead += bodies.count
        var chain = BundleChain()
        for (name, bytes) in zip(chainNames, bodies) {
            // A diff after a bundle the chain never saw (a lost upload, or a backend that wrote
            // concurrently): stop there; the rescan adopts whatever the missing bundles described.
            guard chain.apply(try BundleCodec.decodeMailbox(bytes, name: directory + name), name: name) else {
                report.brokenChains.append(guid)
                break
            }
        }
        return (chain, chainNames, bodies.map(\.count))
    }

    /// What the index remembers after loading a chain: the next diff follows its last bundle.
    private static func state(after chain: BundleChain, names: [String], sizes: [Int]) -> BundleState {
        let count = chain.applied.count
        return BundleState(
            lastName: chain.applied.last ?? "", lastModSeq: chain.folded?.highestModSeq ?? 0,
            lastUIDNext: chain.folded?.uidNext ?? 1, baseBytes: sizes.first ?? 0,
            diffBytes: sizes.prefix(count).dropFirst().reduce(0, +), diffCount: count - 1)
    }

    /// Lists every folder's objects: rows whose objects are gone are dropped, objects no row refers
    /// to are reported for adoption. The referenced set is read before listing, so a message saved
    /// while the listing runs is never taken for gone. Objects of expunged mail whose delete has not
    /// happened yet (a failed or pending DELETE) are not orphans: adopting them would bring the mail back.
    private func rescan(index: UserIndex, knownGUIDs: Set<String>, report: inout Report) async throws {
        let referenced = try await index.referencedObjects()
        let expunged = Set(try await index.pendingObjectDeletes())
        let mailboxesDirectory = BundleNames.mailboxesDirectory(prefix: prefix)
        let folders = try await listing(mailboxesDirectory, report: &report).commonPrefixes.map {
            String($0.dropFirst(mailboxesDirectory.count).dropLast())
        }
        var listed = Set<String>()
        for guid in folders {
            // Some stores list an empty folder's prefix itself as a 0-byte object (`…/<guid>/`): not a message.
            let objects = try await listing(mailboxesDirectory + guid + "/", report: &report).objects.filter { !$0.key.hasSuffix("/") }
            let keys = objects.map { BundleNames.relativeKey($0.key, prefix: prefix) }
            listed.formUnion(keys)
            let orphans = zip(objects, keys).filter { !referenced.contains($0.1) && !expunged.contains($0.1) }.map(\.0)
            if !orphans.isEmpty { report.orphans[guid] = orphans }
            if !knownGUIDs.contains(guid) && !orphans.isEmpty { report.unknownMailboxGUIDs.append(guid) }
        }
        let gone = referenced.subtracting(listed)
        if !gone.isEmpty {
            report.dropped = try await index.dropMessages(withObjects: gone).values.reduce(0) { $0 + $1.count }
            logger.warning(
                "index rows whose objects are gone from the bucket dropped",
                metadata: [
                    "objects": "\(gone.count)", "example": "\(gone.first ?? "")"
                ])
        }
    }

    private func bundleNames(in directory: String, report: inout Report) async throws -> [String] {
        try await listing(directory, report: &report).objects
            .map { String($0.key.dropFirst(directory.count)) }.filter(BundleNames.isBundle).sorted()
    }

    /// Every page of one directory level (objects and rolled-up sub-directories), counting requests.
    private func listing(_ directory: String, report: inout Report) async throws -> ListPage {
        var all = ListPage(objects: [])
        var token: String?
        repeat {
            let page = try await TemporaryFailureRetry.run { [store, token] in
                try await store.list(prefix: directory, delimiter: "/", continuation: token, maxKeys: 1000)
            }
            report.listRequests += 1
            all.objects += page.objects
            all.commonPrefixes += page.commonPrefixes
            token = page.nextContinuation
        } while token != nil
        return all
    }

    /// Downloads keys `parallelism` at a time, returning the bodies in order.
    private func download(_ keys: [String]) async throws -> [[UInt8]] {
        var results = [[UInt8]](repeating: [], count: keys.count)
        let store = self.store
        for start in stride(from: 0, to: keys.count, by: parallelism) {
            let end = min(start + parallelism, keys.count)
            try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for position in start..<end {
                    group.addTask { (position, try await TemporaryFailureRetry.run { try await store.get(keys[position]).body }) }
                }
                for try await (position, body) in group { results[position] = body }
            }
        }
        return results
    }
}
