import ArgumentParser
import Dispatch
import Foundation

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
            MailboxCommand.self, SearchCommand.self, FetchCommand.self, ExpungeCommand.self, CopyCommand.self, MoveCommand.self, FlagsCommand.self,
            QuotaCommand.self, SieveCommand.self,
            ForceResyncCommand.self, WhoCommand.self, KickCommand.self,
            LDACommand.self,
            StopCommand.self,
            ReloadCommand.self,
            LogCommand.self
        ]
    )

    /// Synchronous on purpose: the main thread waits on a semaphore instead of being parked by libdispatch, which
    /// parks it in sigsuspend with every signal blocked. glibc gives up root (`PrivilegeDrop`) by signalling every
    /// thread; a parked main thread never takes the signal and the process would go on showing uid 0 in ps.
    static func main() {
        let given = Array(CommandLine.arguments.dropFirst())
        // Installed (or linked) as dovecot-lda, the binary is `objectmail lda`: MTA transports and scripts written for
        // Dovecot (seed 001's quota-warning script) keep their command line. Its -f is the sender, not a formatter.
        let invokedAsLDA = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent }) == "dovecot-lda"
        let arguments = invokedAsLDA ? ["lda"] + given : DoveadmArguments.normalized(given)
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await main(arguments)
            finished.signal()
        }
        finished.wait()
    }
}

enum ObjectMailVersion {
    static let current = "0.1.0"
}
