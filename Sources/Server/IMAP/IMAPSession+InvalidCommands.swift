import IMAPProtocol

extension IMAPSession {
    /// Dovecot's limits on invalid commands (CLIENT_MAX_BAD_COMMANDS): 3 before login (imap-login, counted
    /// over the whole pre-login session), 20 in a row after it (a command that parses resets the count, as in
    /// Dovecot's imap process), so a client that sometimes sends something odd is never cut off.
    static let maxInvalidCommandsBeforeLogin = 3
    static let maxInvalidCommands = 20

    /// Answers a command that is invalid for its syntax or state (`answer` writes the BAD) and counts it; at the
    /// limit the client is disconnected with Dovecot's `* BYE Too many invalid IMAP commands.` — a client in such a
    /// loop never recovers. Like imap-login, the last invalid command before login gets only the BYE; after login,
    /// like the imap process, its BAD and then the BYE.
    func invalidCommand(_ answer: () -> Void) {
        invalidCommands += 1
        let limit = user == nil ? Self.maxInvalidCommandsBeforeLogin : Self.maxInvalidCommands
        guard invalidCommands >= limit, !loggingOut else { return answer() }
        if user != nil { answer() }
        encoder.writeUntagged(.bye, "Too many invalid IMAP commands.", into: &output)
        end(.closedByServer("Too many invalid commands"))
    }
}
