import Config
import Testing

@testable import ObjectMail

/// The metacache settings read with Dovecot's names, defaults and size/time syntax.
@Suite struct MetacacheSettingsTests {
    func configuration(_ text: String) throws -> StorageConfiguration {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        return try StorageConfiguration(settings: try registry.load(text: text, file: "test.conf"))
    }

    @Test func defaultsAreDovecots() throws {
        let defaults = try configuration("").metacache
        #expect(defaults == MetacacheSettings(closeDelay: .seconds(2), autofixStorage: false, maxSpace: 0, maxGrace: 1 << 30))
    }

    @Test func valuesUseDovecotSyntax() throws {
        let settings = try configuration(
            """
            plugin {
              metacache_close_delay = 5 secs
              obox_autofix_storage = yes
              metacache_max_space = 200G
              metacache_max_grace = 512 M
            }
            """
        ).metacache
        #expect(settings == MetacacheSettings(closeDelay: .seconds(5), autofixStorage: true, maxSpace: 200 << 30, maxGrace: 512 << 20))
    }

    @Test func aTypoIsAConfigError() throws {
        #expect(throws: ConfigError.self) { try configuration("plugin {\n  metacache_max_spaces = 1G\n}") }
    }

    @Test func metacacheRootIsTheFixedStartOfMailHome() {
        #expect(MetacacheDirectory.root(homeTemplate: "/var/vmail/%2Mu/%u") == "/var/vmail")
        #expect(MetacacheDirectory.root(homeTemplate: "/srv/mc/users-%u") == "/srv/mc")
    }
}
