import Config
import ObjectMail
import Testing

@testable import Server

/// `service stats { inet_listener http }` is read apart from the mail protocols.
@Suite struct StatsListenerTests {
    func load(_ text: String) throws -> Settings {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        return try registry.load(text: text, file: "test.conf")
    }

    static let config = """
        protocols = lmtp
        service lmtp {
          inet_listener lmtp {
            port = 24
          }
        }
        service stats {
          inet_listener http {
            address = 127.0.0.1
            port = 9900
          }
        }
        """

    @Test func statsIsNotAMailProtocolButHasItsListener() throws {
        let settings = try load(Self.config)
        #expect(try ListenerSpec.all(from: settings).map(\.service) == ["lmtp"])
        #expect(try ListenerSpec.statsListeners(from: settings) == [ListenerSpec(service: "stats", endpoint: .inet(host: "127.0.0.1", port: 9900))])
    }

    @Test func noStatsServiceOrNoPortMeansNoListener() throws {
        #expect(try ListenerSpec.statsListeners(from: load("protocols = lmtp\nservice lmtp {\n inet_listener lmtp {\n port = 24\n }\n}\n")).isEmpty)
        #expect(try ListenerSpec.statsListeners(from: load(Self.config.replacingOccurrences(of: "9900", with: "0"))).isEmpty)
    }

    @Test func tlsOnTheStatsListenerIsAnError() throws {
        let settings = try load(Self.config.replacingOccurrences(of: "port = 9900", with: "port = 9900\n    ssl = yes"))
        #expect(throws: ConfigError.self) { try ListenerSpec.statsListeners(from: settings) }
    }
}
