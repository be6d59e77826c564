import ObjectMail

/// Read access to the session's state for the command handlers, and the transitions they make.
extension IMAPSession {
    var user: MailUser? { state.loggedIn?.user }
    var userName: String? { state.loggedIn?.name }
    var idling: Bool { state.isIdling }
    var loggingOut: Bool { state.isLoggingOut }
    var endReason: IMAPSessionEnd? { state.endReason }

    var selected: SelectedMailbox? {
        get { state.selected }
        set { state.selected = newValue }
    }

    /// Ends the session: nothing more is read, the reason (the first one given) is logged.
    func end(_ reason: IMAPSessionEnd?) {
        state.end(reason)
    }
}
