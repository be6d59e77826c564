import Auth
import Config
import Foundation
import Logging
import MailModel
import ObjectMail
import ObjectStore
import Sieve
import Testing

@testable import Server

/// Delivery through the user's Sieve scripts (the sieve plugin): the save path carries out what the scripts decide.
@Suite final class SieveDeliveryTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sieve-delivery-\(UUID().uuidString)").path
    let session = LMTPSessionInfo(id: "SESSION", helo: "relay.test", remoteIP: "127.0.0.1")

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A store whose PUTs fail under the prefix `failing` names (a mailbox's objects), as an unavailable S3 fails them.
    final class PartlyFailingStore: ObjectStore, @unchecked Sendable {
        let parent: any ObjectStore
        private let lock = NSLock()
        private var failingPrefix: String?
        var description: String { "partly-failing(\(parent.description))" }

        init(parent: any ObjectStore) { self.parent = parent }

        func fail(under prefix: String?) { lock.withLock { failingPrefix = prefix } }

        func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
            if let prefix = lock.withLock({ failingPrefix }), key.hasPrefix(prefix) {
                throw ObjectStoreError.unavailable(key: key, detail: "503 Slow Down", requestID: nil)
            }
            try await parent.put(key, body: body, options: options)
        }
        func get(_ key: String, range: ByteRange?) async throws -> StoredObject { try await parent.get(key, range: range) }
        func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
            try await parent.download(key, to: path, range: range)
        }
        func stat(_ key: String) async throws -> ObjectInfo { try await parent.stat(key) }
        func delete(_ key: String) async throws { try await parent.delete(key) }
        func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] { try await parent.deleteMany(keys) }
        func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
            try await parent.copy(from: source, to: destination, metadata: metadata)
        }
        func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
            try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
        }
    }

    var store: PartlyFailingStore?

    func makeDelivery(_ sieve: SieveDeliveryConfiguration, lmtp: LMTPConfiguration = LMTPConfiguration(hostname: "mx.test")) throws
        -> (StorageDelivery, MailStorage)
    {
        let settings = try PasswdFileUsers.settings("jane@example.com:{PLAIN}x::::::\n", in: root)
        let store = PartlyFailingStore(parent: try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects"))
        self.store = store
        let storage = MailStorage(configuration: StorageConfiguration(homeTemplate: "\(root)/home/%u"), logger: Logger(label: "test")) { _ in store }
        let delivery = StorageDelivery(
            authenticator: try Authenticator(settings: settings), storage: storage, configuration: lmtp, sieve: sieve,
            logger: Logger(label: "test"))
        return (delivery, storage)
    }

    func deliver(
        _ delivery: StorageDelivery, _ text: String, to address: String = "jane@example.com", from sender: String = "ann@example.org"
    ) async throws -> [LMTPReply] {
        guard case .accepted(let recipient) = await delivery.resolveRecipient(address, originalRecipient: nil, session: session) else {
            throw ConfigError("\(address) not accepted")
        }
        return await delivery.deliver(
            LMTPMessage(mailFrom: sender, recipients: [recipient], bytes: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
            session: session)
    }

    /// Mailbox name → (flags, keywords) of its messages.
    func contents(_ storage: MailStorage) async throws -> [String: [MessageState]] {
        let user = try await storage.user("jane@example.com")
        var found: [String: [MessageState]] = [:]
        for listing in try await user.listMailboxes() where listing.exists {
            found[listing.name.value] = try await user.messageStates(in: try await user.mailbox(listing.name.value))
        }
        return found
    }

    @Test func fileintoWithFlagsAndCreateKeepWithAddflagAndDiscard() async throws {
        let (delivery, storage) = try makeDelivery(SieveDeliveryConfiguration())
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(
            named: "main",
            text: """
                require ["fileinto", "imap4flags", "mailbox"];
                if header :contains "subject" "list" { fileinto :create :flags ["\\\\Seen", "$Work"] "Lists/Día"; stop; }
                if header :contains "subject" "spam" { discard; stop; }
                addflag "\\\\Flagged";
                """)
        try await user.activateSieveScript(named: "main")
        #expect(try await deliver(delivery, "Subject: a list mail\n\nx\n").map(\.code) == [250])
        #expect(try await deliver(delivery, "Subject: spam\n\nx\n").map(\.code) == [250])
        #expect(try await deliver(delivery, "Subject: hello\n\nx\n").map(\.code) == [250])
        let found = try await contents(storage)
        #expect(found["Lists/Día"]?.map(\.flags) == [.seen] && found["Lists/Día"]?.map(\.keywords) == [["$Work"]])
        #expect(found["INBOX"]?.map(\.flags) == [.flagged])
    }

    @Test func fileintoAMissingMailboxWithoutCreateKeepsTheMessage() async throws {
        let (delivery, storage) = try makeDelivery(SieveDeliveryConfiguration())
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(named: "s", text: "require \"fileinto\";\nfileinto \"Nowhere\";\n")
        try await user.activateSieveScript(named: "s")
        #expect(try await deliver(delivery, "Subject: x\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 1])
    }

    @Test func aStoreFailureOfFileintoIsATemporaryFailureNotAMisfiledMessage() async throws {
        let (delivery, storage) = try makeDelivery(SieveDeliveryConfiguration())
        let user = try await storage.user("jane@example.com")
        let target = try await user.createMailbox("Target")
        try await user.putSieveScript(named: "s", text: "require \"fileinto\";\nfileinto \"Target\";\n")
        try await user.activateSieveScript(named: "s")
        store?.fail(under: user.layout.mailboxPrefix(guid: target.guid))
        #expect(try await deliver(delivery, "Subject: x\n\nx\n").map(\.code) == [451])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 0, "Target": 0])
        store?.fail(under: nil)
        #expect(try await deliver(delivery, "Subject: x\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 0, "Target": 1])
    }

    @Test func unsendableActionsAndRuntimeErrorsFallBackToKeep() async throws {
        let (delivery, storage) = try makeDelivery(SieveDeliveryConfiguration())
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(named: "r", text: "require \"reject\";\nreject \"no\";\n")
        try await user.activateSieveScript(named: "r")
        #expect(try await deliver(delivery, "Subject: x\n\nx\n").map(\.code) == [250])
        // Rejecting a message from the null sender drops it: there is nobody to tell.
        #expect(try await deliver(delivery, "Subject: bounce\n\nx\n", from: "").map(\.code) == [250])
        try await user.putSieveScript(named: "r", text: "redirect \"elsewhere@example.net\";\n")
        #expect(try await deliver(delivery, "Subject: y\n\nx\n").map(\.code) == [250])
        // A script that does not compile (editheader is off by default, as in Pigeonhole) keeps too.
        try await user.putSieveScript(named: "r", text: "require \"editheader\";\naddheader \"X\" \"y\";\ndiscard;\n")
        #expect(try await deliver(delivery, "Subject: z\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 3])
    }

    @Test func beforeAndAfterScriptsRunAroundThePersonalOne() async throws {
        try FileManager.default.createDirectory(atPath: "\(root)/global", withIntermediateDirectories: true)
        try "require [\"imap4flags\"];\naddflag \"$Before\";\n".write(toFile: "\(root)/global/before.sieve", atomically: true, encoding: .utf8)
        try "require [\"fileinto\", \"mailbox\"];\nfileinto :create \"After\";\n".write(
            toFile: "\(root)/global/after.sieve", atomically: true, encoding: .utf8)
        let (delivery, storage) = try makeDelivery(
            SieveDeliveryConfiguration(before: ["\(root)/global/before.sieve"], after: ["\(root)/global/after.sieve"]))
        let user = try await storage.user("jane@example.com")
        // The personal script keeps implicitly: the after script runs and files the message.
        try await user.putSieveScript(named: "p", text: "if false { discard; }\n")
        try await user.activateSieveScript(named: "p")
        #expect(try await deliver(delivery, "Subject: one\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 0, "After": 1])
        // One that files it ends the sequence.
        try await user.putSieveScript(named: "p", text: "keep;\n")
        #expect(try await deliver(delivery, "Subject: two\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 1, "After": 1])
    }

    @Test func keepAndTheImplicitKeepStoreIntoTheDetailMailbox() async throws {
        let (delivery, storage) = try makeDelivery(
            SieveDeliveryConfiguration(), lmtp: LMTPConfiguration(hostname: "mx.test", saveToDetailMailbox: true, mailboxAutocreate: true))
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(named: "k", text: "if header :contains \"subject\" \"explicit\" { keep; }\n")
        try await user.activateSieveScript(named: "k")
        #expect(try await deliver(delivery, "Subject: explicit\n\nx\n", to: "jane+lists@example.com").map(\.code) == [250])
        #expect(try await deliver(delivery, "Subject: implicit\n\nx\n", to: "jane+lists@example.com").map(\.code) == [250])
        #expect(try await deliver(delivery, "Subject: plain\n\nx\n").map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 1, "lists": 2])
    }

    @Test func duplicateSeesMessagesDeliveredBefore() async throws {
        let (delivery, storage) = try makeDelivery(SieveDeliveryConfiguration())
        let user = try await storage.user("jane@example.com")
        try await user.putSieveScript(named: "d", text: "require \"duplicate\";\nif duplicate { discard; stop; }\n")
        try await user.activateSieveScript(named: "d")
        let message = "Message-ID: <same@x>\nSubject: x\n\nx\n"
        #expect(try await deliver(delivery, message).map(\.code) == [250])
        #expect(try await deliver(delivery, message).map(\.code) == [250])
        #expect(try await deliver(delivery, message.replacingOccurrences(of: "same", with: "other")).map(\.code) == [250])
        #expect(try await contents(storage).mapValues(\.count) == ["INBOX": 2])
    }

    @Test func settingsAreReadAsPigeonholeNamesThem() throws {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        registry.registerPlugin(SieveSettings.definitions)
        let settings = try registry.load(
            text: """
                protocol lmtp {
                  mail_plugins = $mail_plugins sieve
                }
                plugin {
                  sieve = file:~/sieve;active=~/.dovecot.sieve
                  sieve_before = /etc/sieve/before.sieve
                  sieve_before2 = file:/etc/sieve/before2.sieve
                  sieve_after = /etc/sieve/after.d
                  sieve_global_path = /etc/sieve/default.sieve
                  sieve_extensions = +editheader -vacation
                  sieve_max_actions = 5
                  sieve_max_script_size = 10k
                  sieve_redirect_envelope_from = "<bounces@example.com>"
                }
                submission_host = relay.example.com:2525
                """)
        #expect(try SieveDeliveryConfiguration(settings: settings.forProtocol("imap")) == nil)
        let sieve = try #require(try SieveDeliveryConfiguration(settings: settings.forProtocol("lmtp")))
        #expect(sieve.personal && sieve.before == ["/etc/sieve/before.sieve", "/etc/sieve/before2.sieve"])
        #expect(sieve.after == ["/etc/sieve/after.d"] && sieve.defaultScript == "/etc/sieve/default.sieve")
        #expect(sieve.personalExtensions.contains("editheader") && !sieve.personalExtensions.contains("vacation"))
        #expect(sieve.limits.maxActions == 5 && sieve.limits.maxScriptSize == 10240)
        #expect(sieve.redirectEnvelopeFrom == .address("bounces@example.com") && sieve.submission?.port == 2525)
        let userEmail = try registry.load(text: "protocol lmtp {\n  mail_plugins = sieve\n}\nplugin {\n  sieve_redirect_envelope_from = user_email\n}\n")
        #expect(throws: ConfigError.self) { try SieveDeliveryConfiguration(settings: userEmail.forProtocol("lmtp")) }
        let refused = try registry.load(text: "protocol lmtp {\n  mail_plugins = sieve\n}\nplugin {\n  sieve_extensions = +vnd.dovecot.pipe\n}\n")
        #expect(throws: ConfigError.self) { try SieveDeliveryConfiguration(settings: refused.forProtocol("lmtp")) }
        let ldap = try registry.load(text: "protocol lmtp {\n  mail_plugins = sieve\n}\nplugin {\n  sieve = ldap:/etc/sieve-ldap.conf\n}\n")
        #expect(throws: ConfigError.self) { try SieveDeliveryConfiguration(settings: ldap.forProtocol("lmtp")) }
    }

    @Test func compiledScriptsAreCachedByContent() {
        let cache = SieveCompiledCache()
        let extensions = SieveDeliveryConfiguration.defaultExtensions
        _ = cache.compiled("keep;", name: "a", extensions: extensions, limits: .default)
        let renamed = cache.compiled("keep;", name: "b", extensions: extensions, limits: .default)
        #expect(cache.count == 1 && (try? renamed.get().name) == "b")
        _ = cache.compiled("discard;", name: "a", extensions: extensions, limits: .default)
        #expect(cache.count == 2)
    }
}
