import Crypto
import Foundation
import Logging
import ObjectStore
import Primitives

/// When index bundles go to the bucket: Dovecot's delayed uploads. A folder uploads after
/// `obox_max_rescan_mail_count` new mails, within `metacache_upload_interval` of any other change
/// (flags), and everything at unload and at clean shutdown. Uploads never run on a client's path:
/// the owner calls `uploadDue()` from a background task and `flush()` when unloading.
public actor IndexBundler {
    public struct Policy: Sendable, Equatable {
        /// obox_max_rescan_mail_count: new mails in a folder that trigger an upload.
        public var maxNewMails: Int
        /// metacache_upload_interval: how long any other change may wait.
        public var uploadInterval: Duration
        /// A new base is written when the diffs since the last one exceed this share of its size…
        public var rebaseFraction: Double
        /// …or when this many diffs follow it. A cold load reads the base and every diff after it,
        /// so this bounds its GETs; a large folder's base is big, so rewriting it rarely is what keeps
        /// a delivery's upload cost to about a kilobyte (measured: docs/metacache-benchmark.md).
        public var maxDiffs: Int
        /// How often a user with changes not yet uploaded checks whether an upload is due.
        public var checkInterval: Duration

        public init(
            maxNewMails: Int = 10, uploadInterval: Duration = .seconds(300), rebaseFraction: Double = 0.3, maxDiffs: Int = 1000,
            checkInterval: Duration = .seconds(1)
        ) {
            self.maxNewMails = maxNewMails
            self.uploadInterval = uploadInterval
            self.rebaseFraction = rebaseFraction
            self.maxDiffs = maxDiffs
            self.checkInterval = checkInterval
        }
    }

    public struct Figures: Sendable, Equatable {
        public var bundlesUploaded = 0
        public var bytesUploaded = 0
        public var bases = 0
    }

    let index: UserIndex
    let store: any ObjectStore
    let prefix: String
    let policy: Policy
    let logger: Logger
    /// This process, as named in the root bundles it writes.
    let writer: String
    static let writerKey = "writer"
    /// When each folder's oldest not-yet-uploaded change happened (lost on a crash: then the
    /// bucket plus a rescan is the truth, and the rescan reads at most maxNewMails per folder).
    private var pendingSince: [String: ContinuousClock.Instant] = [:]
    public private(set) var figures = Figures()

    /// True while some folder has changes that are not uploaded yet.
    public var hasPendingChanges: Bool { !pendingSince.isEmpty }

    public init(index: UserIndex, store: any ObjectStore, prefix: String, policy: Policy = Policy(), logger: Logger) {
        self.index = index
        self.store = store
        self.prefix = prefix
        self.policy = policy
        self.logger = logger
        self.writer = BundleNames.processWriterID
    }

    /// Uploads the folders whose upload is due, and the root bundle if the mailbox list changed.
    /// Returns how many bundles were uploaded.
    @discardableResult
    public func uploadDue(now: ContinuousClock.Instant = .now) async throws -> Int {
        try await oneAtATime { try await self.upload(force: false, now: now) }
    }

    /// Uploads every change now (user unload, clean shutdown).
    @discardableResult
    public func flush() async throws -> Int {
        try await oneAtATime { try await self.upload(force: true, now: .now) }
    }

    /// The last upload started. Uploads never overlap: two diffs written from the same state would
    /// both claim the same predecessor and break the chain.
    private var lastUpload: Task<Void, Never>?

    private func oneAtATime(_ body: @escaping @Sendable () async throws -> Int) async throws -> Int {
        let previous = lastUpload
        let task = Task { () async throws -> Int in
            await previous?.value
            return try await body()
        }
        lastUpload = Task { _ = try? await task.value }
        return try await task.value
    }

    private func upload(force: Bool, now: ContinuousClock.Instant) async throws -> Int {
        var due: [(String, BundleState?)] = []
        let check = try await index.bundleCheck()
        for mailbox in check.mailboxes {
            let state = check.bundleStates[BundleState.key(mailbox.guid)].flatMap(BundleState.init)
            let changed = state == nil || state!.lastModSeq != mailbox.highestModSeq || state!.lastUIDNext != mailbox.uidNext
            guard changed else {
                pendingSince[mailbox.guid] = nil
                continue
            }
            let first = pendingSince[mailbox.guid] ?? now
            pendingSince[mailbox.guid] = first
            let newMails = Int(mailbox.uidNext) - Int(state?.lastUIDNext ?? 1)
            if force || state == nil || newMails >= policy.maxNewMails || now - first >= policy.uploadInterval {
                due.append((mailbox.guid, state))
            }
        }
        let root = rootToUpload(check.root, lastUploaded: check.bundleStates[BundleState.rootKey])
        guard root != nil || !due.isEmpty else { return 0 }
        // Only when something is about to be written: one LIST, never on the idle checks.
        try await refuseIfAnotherWriter()
        var uploaded = 0
        if let root {
            try await uploadRoot(root)
            uploaded += 1
        }
        for (guid, state) in due {
            try await uploadMailbox(guid: guid, state: state)
            pendingSince[guid] = nil
            uploaded += 1
        }
        return uploaded
    }

    private func uploadMailbox(guid: String, state: BundleState?) async throws {
        let rebase = state.map { Double($0.diffBytes) > policy.rebaseFraction * Double(max($0.baseBytes, 1)) || $0.diffCount >= policy.maxDiffs } ?? true
        let name = BundleNames.make(base: rebase)
        let bundle = try await index.exportMailbox(
            guid: guid, since: rebase ? nil : state?.lastModSeq,
            previous: rebase ? nil : state?.lastName)
        let bytes = BundleCodec.encode(bundle)
        let key = BundleNames.mailboxDirectory(prefix: prefix, guid: guid) + name
        try await store.put(key, body: .bytes(bytes), options: PutOptions(contentType: "application/octet-stream", createOnly: true))
        let next =
            rebase
            ? BundleState(lastName: name, lastModSeq: bundle.highestModSeq, lastUIDNext: bundle.uidNext, baseBytes: bytes.count, diffBytes: 0, diffCount: 0)
            : BundleState(
                lastName: name, lastModSeq: bundle.highestModSeq, lastUIDNext: bundle.uidNext, baseBytes: state!.baseBytes,
                diffBytes: state!.diffBytes + bytes.count, diffCount: state!.diffCount + 1)
        try await index.setState(BundleState.key(guid), next.encoded)
        figures.bundlesUploaded += 1
        figures.bytesUploaded += bytes.count
        if rebase {
            figures.bases += 1
            await deleteBundles(in: BundleNames.mailboxDirectory(prefix: prefix, guid: guid), olderThan: name)
        }
        logger.debug("index bundle uploaded", metadata: ["key": "\(key)", "bytes": "\(bytes.count)", "messages": "\(bundle.messages.count)"])
    }

    /// One LIST of the root bundles before an upload: if the newest is not the one this index
    /// wrote or loaded, another backend uploaded this user's index since, and a diff written now
    /// would fork the chain. The owner revalidates (merges) first; see `IndexLoader.revalidate`.
    private func refuseIfAnotherWriter() async throws {
        guard try await IndexLoader(store: store, prefix: prefix, logger: logger).rootChanged(index: index) else { return }
        throw BundleError.anotherWriter(BundleNames.rootDirectory(prefix: prefix))
    }

    /// The root bundle's bytes and fingerprint if its contents changed since the last upload.
    /// `lastUploaded`: the root position kept in `state` ("name fingerprint").
    private func rootToUpload(_ root: RootBundle, lastUploaded last: String?) -> (bytes: [UInt8], fingerprint: String)? {
        var root = root
        // Naming the writer makes the first upload of every backend process write a root bundle,
        // so other backends notice with one LIST of the root that this one took the user over.
        root.state[Self.writerKey] = writer
        let bytes = BundleCodec.encode(root)
        // The checksum at the end of the encoding identifies the contents.
        let fingerprint = Hex.encode(bytes.suffix(32))
        return last?.split(separator: " ").last.map(String.init) == fingerprint ? nil : (bytes, fingerprint)
    }

    private func uploadRoot(_ root: (bytes: [UInt8], fingerprint: String)) async throws {
        let name = BundleNames.make(base: true)
        try await store.put(
            BundleNames.rootDirectory(prefix: prefix) + name, body: .bytes(root.bytes),
            options: PutOptions(contentType: "application/octet-stream", createOnly: true))
        try await index.setState(BundleState.rootKey, "\(name) \(root.fingerprint)")
        logger.debug("index bundle uploaded", metadata: ["key": "\(BundleNames.rootDirectory(prefix: prefix) + name)", "bytes": "\(root.bytes.count)"])
        figures.bundlesUploaded += 1
        figures.bytesUploaded += root.bytes.count
        await deleteBundles(in: BundleNames.rootDirectory(prefix: prefix), olderThan: name)
    }

    /// Removes bundles a newer base replaced. A failure only leaves garbage that the next base removes.
    private func deleteBundles(in directory: String, olderThan name: String) async {
        do {
            let old = try await store.listAll(prefix: directory).map(\.key).filter {
                let file = $0.dropFirst(directory.count)
                return BundleNames.isBundle(String(file)) && file < name
            }
            if !old.isEmpty { _ = try await store.deleteMany(old) }
        } catch {
            logger.warning("could not delete replaced index bundles in \(directory): \(error)")
        }
    }
}
