import Auth
import Config
import ObjectMail
import Server

/// Every setting this build honours, contributed by the code that reads it.
/// A module that starts honouring a setting adds its definitions here (one line per module).
enum Registry {
    static let shared: SettingsRegistry = {
        var registry = SettingsRegistry()
        registry.register(LogSettings.definitions)
        registry.register(AdminSettings.definitions)
        registry.register(ProcessSettings.definitions)
        registry.registerPending(PendingSettings.reasons)
        StorageSettings.register(in: &registry)
        AuthSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        TLSSettings.register(in: &registry)
        IMAPConfiguration.register(in: &registry)
        POP3Settings.register(in: &registry)
        registry.registerPlugin(SieveSettings.definitions)
        ManageSieveSettings.register(in: &registry)
        return registry
    }()
}
