import Logging

/// What every driver factory may use while a pipeline string is turned into stores.
public struct PipelineContext: Sendable {
    public var logger: Logger
    /// Expands variables in directory arguments (fscache's DIR, posix's root). Identity by default;
    /// the server passes one that expands Dovecot %-variables (%u, %4Nu …) for the current user.
    public var expandVariables: @Sendable (String) -> String
    /// Space local caches (the fscache) leave free on the metacache's filesystem; nil: none.
    public var keepFree: FreeSpaceReserve?
    /// `mail_fsync`, for the local caches built here (the fscache).
    public var fsync: FsyncPolicy

    public init(
        logger: Logger = Logger(label: "objectmail.objectstore"),
        expandVariables: @escaping @Sendable (String) -> String = { $0 }, keepFree: FreeSpaceReserve? = nil,
        fsync: FsyncPolicy = .optimized
    ) {
        self.logger = logger
        self.expandVariables = expandVariables
        self.keepFree = keepFree
        self.fsync = fsync
    }
}
