import Testing

@testable import Config

@Suite struct VariableExpanderTests {
    let user = VariableExpander.forUser("user@example.com", home: "/home/u", service: "imap", session: "abc123")

    // MD5("user@example.com") = b58996c504c5638798eb6b511e6f49af
    @Test(arguments: [
        ("%u", "user@example.com"),
        ("%n", "user"),
        ("%d", "example.com"),
        ("%h", "/home/u"),
        ("%s", "imap"),
        ("%{session}", "abc123"),
        ("%{user}/%{username}/%{domain}/%{home}", "user@example.com/user/example.com//home/u"),
        ("%Lu", "user@example.com"),
        ("%Uu", "USER@EXAMPLE.COM"),
        ("%Mu", "b58996c504c5638798eb6b511e6f49af"),
        ("%2Mu", "b5"),
        ("%8Mu/%u", "b58996c5/user@example.com"),
        ("%2Mu/%2.3Mu/%u", "b5/899/user@example.com"),
        ("%Nu", "4c56387"),
        ("%4Nu", "3"),
        ("%256Nu", "87"),
        ("%3.256Nu", "087"),
        ("%2u", "us"),
        ("%2.1u", "e"),
        ("%-3.3d", "com"),
        ("%Rn", "resu"),
        ("%Dd", "example,dc=com"),
        ("100%%", "100%"),
        ("/var/vmail/%d/%n/Maildir", "/var/vmail/example.com/user/Maildir"),
        ("%{env:OBJECTMAIL_SURELY_UNSET}", "")
    ])
    func expands(template: String, expected: String) throws {
        #expect(try user.expand(template) == expected)
    }

    @Test func domainlessUser() throws {
        let plain = VariableExpander.forUser("alice")
        #expect(try plain.expand("%n|%d|%Mu") == "alice||6384e2b2184bcbf58eccf10ca7a6563c")
    }

    @Test func lowercaseModifierAppliesBeforeHashing() throws {
        let mixed = VariableExpander.forUser("Bob@Example.COM")
        #expect(try mixed.expand("%LMu") == "4b9bb80620f03eb3719e0a061c14283d")
        #expect(try mixed.expand("%Ln") == "bob")
        #expect(try mixed.expand("%Mu") == "84e8abb89a372723ad4cf6b6701565b6")
    }

    @Test func zeroPaddingPadsWithoutCutting() throws {
        let numbers = VariableExpander(values: ["uid": "7"])
        #expect(try numbers.expand("%04i") == "0007")
        let long = VariableExpander(values: ["uid": "12345"])
        #expect(try long.expand("%04i") == "12345")
        #expect(try long.expand("%1.04i") == "2345")
        #expect(try long.expand("%Xi") == "3039")
    }

    @Test func unknownVariablesAreErrors() {
        #expect(throws: ConfigError("Unknown variable %z in \"/x/%z\"")) { try user.expand("/x/%z") }
        #expect(throws: ConfigError("Unknown variable %{nosuch} in \"%{nosuch}\"")) { try user.expand("%{nosuch}") }
        #expect(throws: ConfigError.self) { try user.expand("50%") }
        #expect(throws: ConfigError.self) { try user.expand("%{user") }
    }
}
