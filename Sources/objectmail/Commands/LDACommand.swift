import ArgumentParser
import Config
import Foundation
import Server

/// `objectmail lda`: dovecot-lda's options and exit codes. The running server delivers (see `LDAClient`).
struct LDACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lda",
        abstract: "Deliver one message from stdin to a user, as dovecot-lda does (exit 0; 67 unknown user; 75 try again later; 77 over quota).",
        discussion: """
            The running server saves the message, sent to it over its admin socket (<base_dir>/objectmail-admin), \
            through the same code as an LMTP delivery; the server keeps each user's index in its own process, so this \
            command never opens it. With no server running the message is not delivered: exit 75, and the MTA tries \
            again, as it does when LMTP is not answering. The command must be able to open the socket: run it as the \
            server's user (mail_uid) or root.

            As dovecot-lda: a leading mbox "From " line is dropped (its address is the sender when -f is not given); \
            no Return-Path, Delivered-To or Received header is added (the MTA adds them, Postfix's pipe with \
            flags=DRhu); -a does not choose a mailbox (-m does, e.g. -m ${extension} in Postfix); with -m the mailbox \
            must exist unless lda_mailbox_autocreate = yes, and when the save there fails the mail goes to INBOX. \
            Deliveries may go over the quota by quota_grace.

            Failures are always written to stderr with an exit code, as dovecot-lda -e does: this server sends no \
            rejection mails, so -e is accepted and is the behaviour with or without it. Exit codes: 0 delivered; 64 bad \
            options; 67 the userdb does not know the user; 77 over quota (75 with quota_full_tempfail = yes); 75 \
            everything else: no server, a store or userdb failure, a message over quota_max_mail_size, an invalid -o.

            -o can set what decides one delivery: lda_mailbox_autocreate, lda_mailbox_autosubscribe, \
            quota_full_tempfail, and plugin/quota, of which only Dovecot's noenforcing option (or an empty value) is \
            taken, delivering over the quota (what quota-warning scripts pass); the backend and root name stay the \
            server's. Other settings are the server's and are refused here.
            """
    )

    @OptionGroup var config: ConfigOptions
    @Option(name: .customShort("d"), help: ArgumentHelp("The destination user, looked up in the userdb (required).", valueName: "username"))
    var user: String?
    @Option(
        name: .customShort("f"),
        help: ArgumentHelp("The envelope sender (logged; default: a leading From line's, else MAILER-DAEMON).", valueName: "sender"))
    var sender: String?
    @Option(name: .customShort("a"), help: ArgumentHelp("The original recipient address (logged).", valueName: "address"))
    var address: String?
    @Option(name: .customShort("r"), help: ArgumentHelp("The final recipient address (logged; default: -a).", valueName: "address"))
    var finalAddress: String?
    @Option(
        name: .customShort("m"),
        help: ArgumentHelp("The mailbox to save into (default INBOX; an empty value means INBOX).", valueName: "mailbox"))
    var mailbox: String?
    @Option(name: .customShort("o"), help: ArgumentHelp("A setting for this delivery (see above).", valueName: "setting=value"))
    var overrides: [String] = []
    @Option(name: .customShort("p"), help: ArgumentHelp("Read the message from this file instead of stdin.", valueName: "path"))
    var path: String?
    @Flag(name: .customShort("e"), help: "Write failures to stderr and exit with their code (always so here).") var stderrRejection = false
    @Flag(name: .customShort("k"), help: "Keep the environment (it is never cleared here).") var keepEnvironment = false

    func validate() throws {
        // dovecot-lda without -d takes the process's own user; users here always come from the userdb.
        guard let user, !user.isEmpty else { throw ValidationError("destination user parameter (-d user) not given") }
    }

    func run() async throws {
        let settings: Settings
        let overrides: LDAOverrides
        do {
            settings = try Registry.shared.load(file: config.path)
            overrides = try LDAOverrides(parsing: self.overrides, registry: Registry.shared)
        } catch {
            // dovecot-lda stops with "Fatal:" on a configuration it cannot read, which exits 75 (the MTA retries).
            throw LDAClient.fail("Fatal: \(error)", code: LDAExit.temporaryFailure)
        }
        let result = try LDAClient.deliver(settings: settings, input: path) { message in
            LDARequest(
                user: user ?? "", sender: LDARequest.sender(sender ?? message.fromLineSender), originalRecipient: address,
                finalRecipient: finalAddress ?? address, mailbox: mailbox.flatMap { $0.isEmpty ? nil : $0 },
                size: message.size, overrides: overrides)
        }
        guard result.status == .delivered else { throw LDAClient.fail(result.text, code: result.exitCode) }
    }
}
