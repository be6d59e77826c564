import Foundation
import Testing

@testable import Config

@Suite struct ConfigParserTests {
    let parser = testRegistry.parser

    @Test func keyValuesSectionsAndComments() throws {
        let text = """
            # comment
            mail_debug = yes   # trailing comment
              log_path=/tmp/a.log
            namespace inbox {
              separator = /
              mailbox "Sent Messages" {
                special_use = \\Sent
                auto = subscribe
              }
              mailbox Drafts {
              }
            }
            passdb {
              driver = passwd-file
            }
            """
        let root = try parser.parse(text: text, file: "t.conf")
        #expect(root.value("mail_debug") == "yes")
        #expect(root.value("log_path") == "/tmp/a.log")
        #expect(root.sections.count == 2)
        let namespace = root.sections[0]
        #expect(namespace.type == "namespace" && namespace.name == "inbox")
        #expect(namespace.location == SourceLocation(file: "t.conf", line: 4))
        #expect(namespace.sections.map(\.name) == ["Sent Messages", "Drafts"])
        #expect(namespace.sections[0].value("special_use") == "\\Sent")
        #expect(root.sections[1].name == nil)
    }

    @Test func quotedValuesKeepHashesAndUnescape() throws {
        let root = try parser.parse(text: "ssl_key_password = \"pa#ss \\\"word\\\"\"\nlog_path = 'x # y'\n", file: "t")
        #expect(root.value("ssl_key_password") == "pa#ss \"word\"")
        #expect(root.value("log_path") == "x # y")
    }

    @Test func continuationLinesJoinWithASpace() throws {
        let text = "pass_attrs = \\\n  =user=%{ldap:mail}, \\\n  =password=%{ldap:userPassword}\nmail_debug = yes\n"
        let root = try parser.parse(text: text, file: "t")
        #expect(root.value("pass_attrs") == "=user=%{ldap:mail}, =password=%{ldap:userPassword}")
        #expect(root.entries[0].location.line == 1)
        #expect(root.entries[1].location.line == 4)
    }

    @Test func referencesExpandEarlierValuesAndDefaults() throws {
        let text = "mail_plugins = $mail_plugins quota\nmail_plugins = $mail_plugins box\nlog_path = $metacache_max_space\n"
        let root = try parser.parse(text: text, file: "t")
        #expect(root.value("mail_plugins") == "quota box")
        #expect(root.value("log_path") == "1G")
    }

    @Test func unknownReferenceSuggestsTheName() {
        #expect(
            throws: ConfigError(
                "Unknown setting in reference: $mail_plugin (did you mean $mail_plugins?)",
                at: SourceLocation(file: "t", line: 1))
        ) {
            try parser.parse(text: "mail_plugins = $mail_plugin quota\n", file: "t")
        }
    }

    @Test func valuesFromFilesAndIncludesWithGlobs() throws {
        let main = try #require(Bundle.module.path(forResource: "main", ofType: "conf", inDirectory: "Fixtures"))
        let root = try parser.parse(file: main)
        #expect(root.value("info_log_path") == "/var/log/objectmail-info.log")
        let plugins = root.sections.filter { $0.type == "plugin" }
        #expect(plugins.count == 2)
        // Includes are read in sorted order, where the !include line stands.
        #expect(plugins[0].value("obox_index_fs")?.hasPrefix("compress:gz:6:s3:") == true)
        #expect(plugins[0].location.file.hasSuffix("conf.d/10-index.conf"))
        #expect(plugins[1].location.line == 6)

        let directory = (main as NSString).deletingLastPathComponent
        let withFile = try parser.parse(text: "ssl_key_password = <password.txt\n", file: directory + "/x.conf")
        #expect(withFile.value("ssl_key_password") == "secret-from-file\n")
        #expect(withFile.entries[0].sourceText == "<password.txt")
    }

    @Test func missingIncludeIsAnErrorButIncludeTryIsNot() throws {
        #expect(throws: ConfigError("!include nothere.conf: no such file", at: SourceLocation(file: "/tmp/t.conf", line: 2))) {
            try parser.parse(text: "mail_debug = no\n!include nothere.conf\n", file: "/tmp/t.conf")
        }
        _ = try parser.parse(text: "!include_try nothere.conf\n", file: "/tmp/t.conf")
    }

    @Test func structuralErrorsNameTheLine() {
        #expect(throws: ConfigError("Unexpected '}'", at: SourceLocation(file: "t", line: 2))) {
            try parser.parse(text: "mail_debug = no\n}\n", file: "t")
        }
        #expect(throws: ConfigError("Missing '}' for section 'namespace' started here", at: SourceLocation(file: "t", line: 1))) {
            try parser.parse(text: "namespace inbox {\nseparator = /\n", file: "t")
        }
        #expect(throws: ConfigError("Expecting '=' after 'mail_debug'", at: SourceLocation(file: "t", line: 3))) {
            try parser.parse(text: "\n\nmail_debug\n", file: "t")
        }
        #expect(throws: ConfigError("Missing closing \" in value of 'log_path'", at: SourceLocation(file: "t", line: 1))) {
            try parser.parse(text: "log_path = \"abc\n", file: "t")
        }
        #expect(throws: ConfigError("Can't open file /nonexistent/x: no such file", at: SourceLocation(file: "t", line: 1))) {
            try parser.parse(text: "ssl_key_password = </nonexistent/x\n", file: "t")
        }
    }

    @Test func errorTextFollowsDoveconf() {
        let error = ConfigError("Unknown setting: foo", at: SourceLocation(file: "/etc/x.conf", line: 7))
        #expect(error.description == "Error in configuration file /etc/x.conf line 7: Unknown setting: foo")
    }

    @Test func includeLoopsStop() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfgloop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "!include loop.conf\n".write(toFile: directory + "/loop.conf", atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try parser.parse(file: directory + "/loop.conf") }
    }
}
