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
            let root = try BundleCodec.decodeRoot(try await store.get(rootDirectory + newest).body, name: rootDirectory + newest)
            report.bundlesRead += 1
            try await index.importRoot(root)
            try await index.setState(BundleState.rootKey, "\(newest) -")
        }
        let mailboxes = try await index.mailboxes()
        for mailbox in mailboxes {
            try await loadMailbox(guid: mailbox.guid, into: index, report: &report)
        }
        try await index.rebuildObjectReferences()
        try await rescan(index: index, knownGUIDs: Set(mailboxes.map(\.guid)), report: &report)
        return report
    }

    private func loadMailbox(guid: String, into index: UserIndex, report: inout Report) async throws {
        let directory = BundleNames.mailboxDirectory(prefix: prefix, guid: guid)
        let names = try await bundleNames(in: directory, report: &report)
        guard let baseIndex = names.lastIndex(where: BundleNames.isBase) else { return }
        let chain = Array(names[baseIndex...])
        let bundles = try await download(chain.map { directory + $0 })
        report.bundlesRead += bundles.count
        var previous: String?
        var applied: MailboxBundle?
        for (name, bytes) in zip(chain, bundles) {
            let bundle = try BundleCodec.decodeMailbox(bytes, name: directory + name)
            if bundle.kind == .diff && bundle.previous != previous {
                // A backend that wrote concurrently, or a lost upload: stop here; the rescan
                // adopts whatever the missing bundles described.
                report.brokenChains.append(guid)
                break
            }
            try await index.applyMailboxBundle(bundle)
            previous = name
            applied = bundle
        }
        if let applied, let previous {
            let state = BundleState(lastName: previous, lastModSeq: applied.highestModSeq, lastUIDNext: applied.uidNext,
                                    baseBytes: bundles.first?.count ?? 0, diffBytes: bundles.dropFirst().reduce(0) { $0 + $1.count },
                                    diffCount: bundles.count - 1)
            try await index.setState(BundleState.key(guid), state.encoded)
        }
    }

    /// Lists every folder's objects and reports those the index does not refer to.
    private func rescan(index: UserIndex, knownGUIDs: Set<String>, report: inout Report) async throws {
        let referenced = try await index.referencedObjects()
        let mailboxesDirectory = BundleNames.mailboxesDirectory(prefix: prefix)
        let folders = try await listing(mailboxesDirectory, report: &report).commonPrefixes.map {
            String($0.dropFirst(mailboxesDirectory.count).dropLast())
        }
        for guid in folders {
            let objects = try await listing(mailboxesDirectory + guid + "/", report: &report).objects
            let orphans = objects.filter { !referenced.contains(BundleNames.relativeKey($0.key, prefix: prefix)) }
            if !orphans.isEmpty { report.orphans[guid] = orphans }
            if !knownGUIDs.contains(guid) && !orphans.isEmpty { report.unknownMailboxGUIDs.append(guid) }
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
            let page = try await store.list(prefix: directory, delimiter: "/", continuation: token, maxKeys: 1000)
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
                    group.addTask { (position, try await store.get(keys[position]).body) }
                }
                for try await (position, body) in group { results[position] = body }
            }
        }
        return results
    }
}
