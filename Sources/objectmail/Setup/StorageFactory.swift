import Config
import Logging
import ObjectMail
import ObjectStore

/// The process's `MailStorage` from the settings: each user's `obox_fs` and `obox_index_fs`
/// pipelines, %-expanded per user and shared between users whose expansion is the same.
enum StorageFactory {
    static func make(settings: Settings, pipelines: StoragePipelines, logger: Logger) throws -> MailStorage {
        SaveMemoryBudget.shared.limit = settings.size("mail_save_memory_limit")
        let configuration = try StorageConfiguration(settings: settings)
        var pipelines = pipelines
        pipelines.fsync = configuration.fsync
        return MailStorage(
            configuration: configuration, logger: logger,
            storeForUser: userStores("obox_fs", template: try mailObjectTemplate(settings), pipelines: pipelines),
            indexStoreForUser: userStores(
                "obox_index_fs", template: settings.singleSection("plugin").string("obox_index_fs"),
                pipelines: pipelines))
    }

    /// `metacache_min_free_space` on the filesystem of the directory every `mail_home` lies under.
    static func metacacheReserve(_ settings: Settings) throws -> FreeSpaceReserve? {
        let configuration = try StorageConfiguration(settings: settings)
        guard configuration.metacacheMinFreeSpace > 0 else { return nil }
        return FreeSpaceReserve(path: MetacacheDirectory.root(homeTemplate: configuration.homeTemplate), bytes: configuration.metacacheMinFreeSpace)
    }

    private static func userStores(_ setting: String, template: String, pipelines: StoragePipelines) -> MailStorage.StoreForUser {
        let stores = SharedStores(setting: setting, template: template, pipelines: pipelines)
        return { layout in try stores.store(for: layout) }
    }

    /// `obox_fs`, with the zlib plugin's `zlib_save = gz` as a `compress:maybe-gz:LEVEL:` wrapper below the
    /// fscache: the bucket holds compressed objects, the cache plain ones, and objects stored before
    /// compression was turned on still read (maybe-gz passes objects without gzip's magic through).
    static func mailObjectTemplate(_ settings: Settings) throws -> String {
        let plugin = settings.singleSection("plugin")
        let template = plugin.string("obox_fs")
        guard MailPlugins.named(in: settings).contains("zlib"), !plugin.string("zlib_save").isEmpty else {
            if !plugin.string("zlib_save").isEmpty {
                throw ConfigError(
                    "zlib_save is set but mail_plugins does not load the zlib plugin (mail_plugins = $mail_plugins zlib)",
                    at: plugin.location(of: "zlib_save"))
            }
            return template
        }
        let level = plugin.number("zlib_save_level")
        guard (1...9).contains(level) else {
            throw ConfigError("zlib_save_level must be 1 to 9, not \(plugin.string("zlib_save_level"))", at: plugin.location(of: "zlib_save_level"))
        }
        let wrapper = "compress:maybe-gz:\(level):"
        let parts = template.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "fscache" else { return wrapper + template }
        return parts[0..<3].joined(separator: ":") + ":" + wrapper + parts[3]
    }
}
