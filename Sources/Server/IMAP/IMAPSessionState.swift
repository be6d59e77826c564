import ObjectMail

/// Where a connection is in IMAP's state diagram (RFC 9051 §3), holding exactly what exists in that state:
/// a selected mailbox without a user, IDLE before login or a SASL exchange after it cannot be written down.
enum IMAPSessionState {
    /// Before LOGIN/AUTHENTICATE; `authenticating` while an AUTHENTICATE waits for the client's next line.
    case notAuthenticated(authenticating: PendingAuthentication?)
    case authenticated(LoggedIn)
    case selected(LoggedIn, SelectedMailbox)
    /// IDLE (RFC 2177), from the authenticated or the selected state; DONE returns there.
    case idling(LoggedIn, SelectedMailbox?, IdleState)
    /// Nothing more is read (LOGOUT, BYE, a failed STARTTLS or COMPRESS). The user stays for the work done after
    /// the client is gone, and an IDLE that was running stays until its watch is stopped.
    case logout(LoggedIn?, IdleState?, IMAPSessionEnd?)

    static let initial = IMAPSessionState.notAuthenticated(authenticating: nil)

    var loggedIn: LoggedIn? {
        switch self {
        case .notAuthenticated: nil
        case .authenticated(let login), .selected(let login, _), .idling(let login, _, _): login
        case .logout(let login, _, _): login
        }
    }

    /// The selected mailbox; setting it moves between the authenticated and the selected state (also under IDLE).
    /// Before login and after logout there is none, and setting one is ignored.
    var selected: SelectedMailbox? {
        get {
            switch self {
            case .selected(_, let mailbox): mailbox
            case .idling(_, let mailbox, _): mailbox
            case .notAuthenticated, .authenticated, .logout: nil
            }
        }
        set {
            switch self {
            case .authenticated(let login), .selected(let login, _):
                self = newValue.map { .selected(login, $0) } ?? .authenticated(login)
            case .idling(let login, _, let idle):
                self = .idling(login, newValue, idle)
            case .notAuthenticated, .logout:
                break
            }
        }
    }

    var idle: IdleState? {
        switch self {
        case .idling(_, _, let idle): idle
        case .logout(_, let idle, _): idle
        case .notAuthenticated, .authenticated, .selected: nil
        }
    }

    var isIdling: Bool {
        if case .idling = self { true } else { false }
    }

    var pendingAuthentication: PendingAuthentication? {
        if case .notAuthenticated(let pending) = self { pending } else { nil }
    }

    var isLoggingOut: Bool {
        if case .logout = self { true } else { false }
    }

    var endReason: IMAPSessionEnd? {
        if case .logout(_, _, let reason) = self { reason } else { nil }
    }

    /// IDLE starts; only from the authenticated or the selected state.
    mutating func beginIdle(_ idle: IdleState) {
        switch self {
        case .authenticated(let login): self = .idling(login, nil, idle)
        case .selected(let login, let mailbox): self = .idling(login, mailbox, idle)
        case .notAuthenticated, .idling, .logout: break
        }
    }

    /// IDLE ends (DONE, or the session ends): the state it came from again; its watch, to be stopped.
    mutating func endIdle() -> IdleState? {
        switch self {
        case .idling(let login, let mailbox, let idle):
            self = mailbox.map { .selected(login, $0) } ?? .authenticated(login)
            return idle
        case .logout(let login, let idle, let reason):
            self = .logout(login, nil, reason)
            return idle
        case .notAuthenticated, .authenticated, .selected:
            return nil
        }
    }

    /// The session stops reading; the first reason given is the one logged.
    mutating func end(_ reason: IMAPSessionEnd?) {
        switch self {
        case .logout(let login, let idle, let earlier): self = .logout(login, idle, earlier ?? reason)
        default: self = .logout(loggedIn, idle, reason)
        }
    }
}

/// A logged-in user: the name it logged in as (for logs and IMAP URLs) and its mail.
struct LoggedIn {
    let name: String
    let user: MailUser
}
