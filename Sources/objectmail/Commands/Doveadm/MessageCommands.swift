import ArgumentParser

/// `objectmail search|fetch|expunge|flags …`, as doveadm-search(1), doveadm-fetch(1), doveadm-expunge(1) and
/// doveadm-flags(1); the query is doveadm's (doveadm-search-query(7)), `mailbox NAME` choosing the mailboxes.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Print the mailbox GUID and UID of each message matching the query.")
    @OptionGroup var options: DoveadmOptions
    @Argument(parsing: .remaining) var query: [String]
    func run() async throws { try await DoveadmClient.run("search", options, arguments: query) }
}

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Print FIELDS (uid seq flags guid mailbox mailbox-guid modseq size.physical size.virtual date.received date.saved "
            + "date.received.unixtime date.saved.unixtime hdr "
            + "hdr.NAME body text) of each message matching the query.")
    @OptionGroup var options: DoveadmOptions
    @Argument var fields: String
    @Argument(parsing: .remaining) var query: [String]
    func run() async throws { try await DoveadmClient.run("fetch", options, arguments: [fields] + query, formatter: .pager) }
}

struct ExpungeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "expunge", abstract: "Expunge the messages matching the query.")
    @OptionGroup var options: DoveadmOptions
    @Argument(parsing: .remaining) var query: [String]
    func run() async throws { try await DoveadmClient.run("expunge", options, arguments: query) }
}

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the messages matching the query into DESTINATION (the same user).")
    @OptionGroup var options: DoveadmOptions
    @Argument var destination: String
    @Argument(parsing: .remaining) var query: [String]
    func run() async throws { try await DoveadmClient.run("copy", options, arguments: [destination] + query) }
}

struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move the messages matching the query into DESTINATION (the same user).")
    @OptionGroup var options: DoveadmOptions
    @Argument var destination: String
    @Argument(parsing: .remaining) var query: [String]
    func run() async throws { try await DoveadmClient.run("move", options, arguments: [destination] + query) }
}

struct FlagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Change the flags of the messages matching the query.",
        subcommands: [Add.self, Remove.self, Replace.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add FLAGS (system flags and keywords, space-separated).")
        @OptionGroup var options: DoveadmOptions
        @Argument var flags: String
        @Argument(parsing: .remaining) var query: [String]
        func run() async throws { try await DoveadmClient.run("flags add", options, arguments: [flags] + query) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove FLAGS.")
        @OptionGroup var options: DoveadmOptions
        @Argument var flags: String
        @Argument(parsing: .remaining) var query: [String]
        func run() async throws { try await DoveadmClient.run("flags remove", options, arguments: [flags] + query) }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the flags to exactly FLAGS.")
        @OptionGroup var options: DoveadmOptions
        @Argument var flags: String
        @Argument(parsing: .remaining) var query: [String]
        func run() async throws { try await DoveadmClient.run("flags replace", options, arguments: [flags] + query) }
    }
}

/// `objectmail quota get|recalc`, as doveadm-quota(1).
struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota", abstract: "A user's quota usage and limits.",
        subcommands: [Get.self, Recalc.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Usage and limits: STORAGE in kilobytes, MESSAGE in messages.")
        @OptionGroup var options: DoveadmOptions
        func run() async throws { try await DoveadmClient.run("quota get", options, arguments: [], formatter: .table) }
    }

    struct Recalc: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count the usage again from the index.")
        @OptionGroup var options: DoveadmOptions
        func run() async throws { try await DoveadmClient.run("quota recalc", options, arguments: []) }
    }
}

/// `objectmail force-resync -u USER MASK`, as doveadm-force-resync(1): the user's index is checked against the bucket.
struct ForceResyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force-resync",
        abstract: "Revalidate the user's index against the bucket (every mailbox: the index is per user).")
    @OptionGroup var options: DoveadmOptions
    @Argument var masks: [String]
    func run() async throws { try await DoveadmClient.run("force-resync", options, arguments: masks) }
}
