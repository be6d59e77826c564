import ArgumentParser

/// The `objectmail` command line: `serve`, `config`, and doveadm-style admin verbs.
/// Each verb lives in its own file under Commands/ and is listed here once.
@main
struct ObjectMailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objectmail",
        abstract: "A mail access server (IMAP, POP3, LMTP) that keeps mail in object storage.",
        version: ObjectMailVersion.current,
        subcommands: [
            ServeCommand.self,
            ConfigCommand.self,
            FSCommand.self,
            FSCacheCommand.self,
            PwCommand.self,
            AuthCommand.self,
            UserCommand.self,
            MetacacheCommand.self,
            MailboxCommand.self, SearchCommand.self, FetchCommand.self, ExpungeCommand.self, CopyCommand.self, MoveCommand.self, FlagsCommand.self, QuotaCommand.self,
            ForceResyncCommand.self, WhoCommand.self, KickCommand.self,
            StopCommand.self,
            ReloadCommand.self,
            LogCommand.self,
        ]
    )

    static func main() async {
        await main(DoveadmArguments.normalized(Array(CommandLine.arguments.dropFirst())))
    }
}

enum ObjectMailVersion {
    static let current = "0.1.0"
}
