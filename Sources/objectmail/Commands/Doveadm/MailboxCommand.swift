import ArgumentParser

/// `objectmail mailbox list|status|create|delete|rename|subscribe|unsubscribe`, as doveadm-mailbox(1).
struct MailboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox",
        abstract: "List, inspect and change a user's mailboxes (like doveadm mailbox).",
        subcommands: [List.self, Status.self, Create.self, Delete.self, Rename.self, Subscribe.self, Unsubscribe.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The user's mailboxes matching the masks (* and %), or all.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("s"), help: "Only subscribed mailboxes.") var subscribed = false
        @Argument var masks: [String] = []
        func run() async throws {
            try await DoveadmClient.run("mailbox list", options, flags: subscribed ? ["s": ""] : [:], arguments: masks)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "FIELDS (messages recent uidnext uidvalidity unseen highestmodseq vsize guid, or all) of the mailboxes matching the masks.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("t"), help: "The sums over the mailboxes (messages recent unseen vsize).") var total = false
        @Argument var fields: String
        @Argument var masks: [String]
        func run() async throws {
            try await DoveadmClient.run("mailbox status", options, flags: total ? ["t": ""] : [:], arguments: [fields] + masks)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create mailboxes. Exit 65 when one exists.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("s"), help: "Subscribe them too.") var subscribe = false
        @Argument var names: [String]
        func run() async throws {
            try await DoveadmClient.run("mailbox create", options, flags: subscribe ? ["s": ""] : [:], arguments: names)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete mailboxes and their messages. Exit 68 when one does not exist.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("r"), help: "Delete the mailboxes below them too.") var recursive = false
        @Flag(name: .customShort("s"), help: "Unsubscribe them too.") var unsubscribe = false
        @Argument var names: [String]
        func run() async throws {
            var flags: [String: String] = [:]
            if recursive { flags["r"] = "" }
            if unsubscribe { flags["s"] = "" }
            try await DoveadmClient.run("mailbox delete", options, flags: flags, arguments: names)
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a mailbox, with the mailboxes below it.")
        @OptionGroup var options: DoveadmOptions
        @Flag(name: .customShort("s"), help: "Move the subscription to the new name.") var subscriptions = false
        @Argument var old: String
        @Argument var new: String
        func run() async throws {
            try await DoveadmClient.run("mailbox rename", options, flags: subscriptions ? ["s": ""] : [:], arguments: [old, new])
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe to mailboxes.")
        @OptionGroup var options: DoveadmOptions
        @Argument var names: [String]
        func run() async throws { try await DoveadmClient.run("mailbox subscribe", options, arguments: names) }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unsubscribe from mailboxes.")
        @OptionGroup var options: DoveadmOptions
        @Argument var names: [String]
        func run() async throws { try await DoveadmClient.run("mailbox unsubscribe", options, arguments: names) }
    }
}
