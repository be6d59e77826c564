import Testing

@testable import ObjectMail

@Suite struct MailboxNameTests {
    @Test(arguments: [
        ("INBOX", "INBOX"), ("inbox", "INBOX"), ("InBox/Sub", "INBOX/Sub"), ("Sent", "Sent"), ("Work/", "Work"),
        ("Lists/swift/2026", "Lists/swift/2026"), ("Entwürfe", "Entwürfe"), ("inboxes", "inboxes")
    ])
    func normalises(raw: String, expected: String) throws {
        #expect(try MailboxName(raw).value == expected)
    }

    @Test(arguments: [
        ("", MailboxNameError.empty), ("a//b", .emptyLevel), ("/a", .emptyLevel), ("a/../b", .dotLevel), ("a/.", .dotLevel),
        ("a\u{0}b", .forbiddenCharacter("\u{0}")), ("a\rb", .forbiddenCharacter("\r")), ("a*", .forbiddenCharacter("*")),
        ("x%", .forbiddenCharacter("%")), (String(repeating: "a", count: 256), .tooLong(limit: 255)),
        (Array(repeating: "a", count: 17).joined(separator: "/"), .tooDeep(limit: 16))
    ])
    func rejects(raw: String, error: MailboxNameError) {
        #expect(throws: error) { try MailboxName(raw) }
    }

    @Test func hierarchy() throws {
        let name = try MailboxName("a/b/c")
        #expect(name.ancestors == ["a", "a/b"])
        #expect(try MailboxName("a").isAncestor(of: name))
        #expect(!(try MailboxName("a/b/c").isAncestor(of: try MailboxName("a/b/cd"))))
    }

    @Test func layoutFollowsObox() throws {
        let configuration = StorageConfiguration(prefixTemplate: "%2Mu/%2.3Mu/%u", homeTemplate: "/var/vmail/%2Mu/%u")
        let layout = try configuration.layout(for: "user@example.com")
        #expect(layout.prefix == "b5/899/user@example.com")
        #expect(layout.home == "/var/vmail/b5/user@example.com")
        #expect(layout.bucketKey(UserLayout.messageKey(mailboxGUID: "g", objectID: "o")) == "b5/899/user@example.com/mailboxes/g/o")
        #expect(UniqueID.make().count == 32)
        #expect(UniqueID.make() != UniqueID.make())
    }
}
