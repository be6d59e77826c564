import Config
import FSCache
import Foundation
import Logging
import ObjectStore

/// Builds the object-store pipelines named by `obox_fs` and `obox_index_fs`.
///
/// The whole setting value goes through %-variable expansion first, as in Dovecot, so `%%` stands
/// for a literal percent sign (a `:` inside an S3 secret is written `%%3A`) and per-user
/// directories such as `/var/cache/mails/%4Nu` work.
struct StoragePipelines {
    var registry: PipelineRegistry = .standard
    var logger: Logger
    /// `metacache_min_free_space` on the metacache's filesystem, for the fscaches built here.
    var keepFree: FreeSpaceReserve?
    /// `mail_fsync`, for the fscaches built here.
    var fsync: FsyncPolicy = .optimized

    func store(_ setting: String, template: String, variables: VariableExpander) throws -> any ObjectStore {
        try makeStore(setting, pipeline: try expand(setting, template: template, variables: variables))
    }

    /// The setting's value with its %-variables expanded: the pipeline string itself.
    func expand(_ setting: String, template: String, variables: VariableExpander) throws -> String {
        do {
            return try variables.expand(template)
        } catch let error as ConfigError {
            throw ConfigError("\(setting): \(error.message)")
        }
    }

    /// Builds the stores of an already expanded pipeline string.
    func makeStore(_ setting: String, pipeline: String) throws -> any ObjectStore {
        do {
            let context = PipelineContext(logger: logger, expandVariables: Self.absolutePath, keepFree: keepFree, fsync: fsync)
            return try registry.makeStore(pipeline, context: context)
        } catch let error as PipelineError {
            throw ConfigError("\(setting): \(error)")
        }
    }

    /// Directory arguments (posix's root, fscache's DIR) may be relative to the directory the server
    /// starts in, which is what the embedded default's `var/…` paths rely on.
    @Sendable static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Asks the store for one key, so that a wrong endpoint, bucket or credential shows at start-up.
    /// One LIST. A temporary failure (a store restarting, a dropped connection) is tried again with backoff, up to
    /// five times in about eight seconds, so one failed request does not keep the server from starting; a
    /// permanent answer (wrong bucket, credentials) fails at once.
    func check(_ store: any ObjectStore) async throws {
        _ = try await TemporaryFailureRetry.run(
            attempts: 5, firstDelay: .milliseconds(500),
            onRetry: { error, delay in
                logger.warning("\(store.description): \(error); trying again in \(delay)")
            }
        ) {
            try await store.list(prefix: "", delimiter: "/", continuation: nil, maxKeys: 1)
        }
    }
}
