import Config
import Logging
import ObjectMail

/// The process's `MailStorage` from the settings: each user's `obox_fs` and `obox_index_fs`
/// pipelines, %-expanded per user and shared between users whose expansion is the same.
enum StorageFactory {
    static func make(settings: Settings, pipelines: StoragePipelines, logger: Logger) throws -> MailStorage {
        MailStorage(configuration: try StorageConfiguration(settings: settings), logger: logger,
                    storeForUser: userStores("obox_fs", settings: settings, pipelines: pipelines),
                    indexStoreForUser: userStores("obox_index_fs", settings: settings, pipelines: pipelines))
    }

    private static func userStores(_ setting: String, settings: Settings, pipelines: StoragePipelines) -> MailStorage.StoreForUser {
        let stores = SharedStores(setting: setting, template: settings.singleSection("plugin").string(setting), pipelines: pipelines)
        return { layout in try stores.store(for: layout) }
    }
}
