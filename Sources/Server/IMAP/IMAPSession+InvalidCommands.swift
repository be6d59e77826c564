import IMAPProtocol

extension IMAPSession {
    /// Dovecot's limits on invalid commands (CLIENT_MAX_BAD_COMMANDS): 3 before login (imap-login, counted
    /// over the whole pre-login session), 20 in a row after it (a command that parses resets the count, as in
    /// Dovecot's imap process), so a client that sometimes sends something odd is never cut off.
    static let maxInvalidCommandsBeforeLogin = 3
    static let maxInvalidCommands = 20

    /// Counts a command answered BAD for its syntax or state; at the limit the client is disconnected
    /// with Dovecot's `* BYE Too many invalid IMAP commands.` — a client in such a loop never recovers.
    func countInvalidCommand() {
        invalidCommands += 1
        let limit = user == nil ? Self.maxInvalidCommandsBeforeLogin : Self.maxInvalidCommands
        guard invalidCommands >= limit, !loggingOut else { return }
        encoder.writeUntagged(.bye, "Too many invalid IMAP commands.", into: &output)
        end(.closedByServer("Too many invalid commands"))
    }
}
