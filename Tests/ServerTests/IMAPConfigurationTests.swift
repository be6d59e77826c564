import Config
import IMAPProtocol
import MailModel
import MetaCache
import NIOCore
import Testing

@testable import Server

/// The IMAP settings (Dovecot names and defaults), the logout line and the delay-newmail view rule.
@Suite struct IMAPConfigurationTests {
    func load(_ text: String) throws -> IMAPConfiguration {
        var registry = SettingsRegistry()
        ServerSettings.register(in: &registry)
        IMAPConfiguration.register(in: &registry)
        return try IMAPConfiguration(settings: registry.load(text: text, file: "test.conf"))
    }

    @Test func defaultsAreDovecots() throws {
        let configuration = try load("")
        #expect(configuration.maxLineLength == 65_536)
        #expect(configuration.maxUserIPConnections == 10)
        #expect(configuration.idleNotifyInterval == .seconds(120))
        #expect(configuration.logoutFormat == IMAPConfiguration.defaultLogoutFormat)
        #expect(configuration.clientWorkarounds.isEmpty)
        #expect(configuration.maxKeywordLength == 50)
        #expect(configuration.autologoutTimeout == .seconds(1800))
        #expect(configuration.loginTimeout == .seconds(180))
        // The framer's defaults, plus spooling of APPEND literals from 128 KiB (Dovecot's in-memory limit for a save).
        var limits = IMAPFramingLimits()
        limits.spoolThreshold = 128 * 1024
        #expect(configuration.framingLimits == limits)
        #expect(configuration.spool == SpoolConfiguration(directory: "/tmp", threshold: 128 * 1024))
    }

    @Test func settingsAreRead() throws {
        let configuration = try load(
            """
            imap_max_line_length = 8k
            mail_max_userip_connections = 0
            imap_idle_notify_interval = 30 secs
            imap_client_workarounds = delay-newmail, tb-extra-mailbox-sep
            imap_autologout_timeout = 2s
            plugin {
              quota_max_mail_size = 10M
            }
            """)
        #expect(configuration.maxLineLength == 8192)
        #expect(configuration.maxUserIPConnections == 0)
        #expect(configuration.idleNotifyInterval == .seconds(30))
        #expect(configuration.clientWorkarounds == [.delayNewmail, .tbExtraMailboxSep])
        #expect(configuration.autologoutTimeout == .seconds(2))
        #expect(configuration.framingLimits.maxLineLength == 8192)
        #expect(configuration.framingLimits.maxLiteralSize == 10 << 20)
    }

    @Test func unknownWorkaroundsAndTinyLinesAreErrors() {
        #expect(throws: ConfigError.self) { try load("imap_client_workarounds = tb-extra-mailbox-sep bogus") }
        #expect(throws: ConfigError.self) { try load("imap_max_line_length = 100") }
    }

    @Test func capabilityOverrideAppendsOrReplaces() {
        var configuration = IMAPConfiguration()
        let builtIn = ["IMAP4rev1", "IDLE", "MOVE"]
        #expect(configuration.capabilities(default: builtIn) == builtIn)
        configuration.capabilityOverride = "+XAPPLEPUSHSERVICE IDLE XFOO"
        #expect(configuration.capabilities(default: builtIn) == builtIn + ["XAPPLEPUSHSERVICE", "XFOO"])
        configuration.capabilityOverride = "IMAP4rev1 LITERAL+"
        #expect(configuration.capabilities(default: builtIn) == ["IMAP4rev1", "LITERAL+"])
    }

    @Test func logoutLineCountsFetchesAndExpandsTheFormat() {
        var statistics = IMAPSessionStatistics()
        statistics.noteFetch([.uid(1), .bodySection(SectionSpec(kind: .header), origin: nil, data: ByteBuffer(string: "Subject: x\r\n\r\n"))])
        statistics.noteFetch([.rfc822(ByteBuffer(string: "Subject: x\r\n\r\nbody\r\n")), .rfc822Header(ByteBuffer(string: "abc"))])
        statistics.noteFetch([.flags(["\\Seen"])])
        statistics.expunged = 3
        let text = statistics.logoutText(format: IMAPConfiguration.defaultLogoutFormat, received: 10, sent: 20, session: "S")
        #expect(text == "in=10 out=20 deleted=0 expunged=3 trashed=0 hdr_count=2 hdr_bytes=17 body_count=1 body_bytes=20")
        #expect(statistics.logoutText(format: "%5i|%{session}|%o", received: 7, sent: 9, session: "abc") == "7|abc|9")
        // A template error never loses the line: Dovecot's default is used instead.
        #expect(statistics.logoutText(format: "%{nonsense}", received: 1, sent: 2, session: "S").hasPrefix("in=1 out=2 "))
    }

    @Test func delayedNewMailStaysOutOfTheViewUntilAllowed() {
        func state(_ uid: UInt32) -> MessageState { MessageState(uid: uid, flags: [], keywords: [], modSeq: 1) }
        var view = MailboxView(messages: [state(1)], firstRecentUID: .max)
        #expect(view.reconcile(with: [state(1), state(2)], allowExpunge: false, announceNew: false) == [])
        #expect(view.count == 1)
        #expect(view.reconcile(with: [state(1), state(2)], allowExpunge: true, firstRecentUID: 2) == [.exists(2), .recent(1)])
    }
}
