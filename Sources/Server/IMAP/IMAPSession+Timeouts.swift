import IMAPProtocol
import NIOCore

/// Why a session ended, for the BYE it got and the log line.
enum IMAPSessionEnd: Sendable, Equatable {
    case loggedOut
    case inactivity
    case shutdown
    /// The server ended it for another reason (mailbox deleted, limits); the BYE said why.
    case closedByServer(String)

    var logText: String {
        switch self {
        case .loggedOut: "Logged out"
        case .inactivity: "Disconnected for inactivity"
        case .shutdown: "Disconnected: Server shutting down."
        case .closedByServer(let reason): "Disconnected: \(reason)"
        }
    }

    /// imap-login's words for the same ends, before the parenthesis with the attempts.
    var loginLogText: String {
        switch self {
        case .loggedOut: "Aborted login"
        case .inactivity: "Disconnected: Inactivity"
        case .shutdown: "Disconnected: Shutting down"
        case .closedByServer(let reason): "Disconnected: \(reason)"
        }
    }
}

extension IMAPSession {
    /// Dovecot's wording for both the pre-login and the autologout timeout.
    static let inactivityBye = "Disconnected for inactivity."

    /// The silence allowed in the current state: before login `imap_login_timeout`, after it
    /// `imap_autologout_timeout`; nil during IDLE, which Dovecot (and we) never time out.
    var inactivityLimit: Duration? {
        if idling { return nil }
        return user == nil ? configuration.loginTimeout : configuration.autologoutTimeout
    }

    /// (Re)starts the timer that checks for inactivity; called at connect and after login, since the limit changes.
    /// One repeated event-loop task per connection, not a Swift task, keeps idle connections cheap.
    func scheduleInactivityCheck() {
        inactivityTimer?.cancel()
        let limit = user == nil ? configuration.loginTimeout : configuration.autologoutTimeout
        guard limit > .zero else { return }
        // Checking a few times per period bounds how late the timeout fires to an eighth of it.
        let amount = TimeAmount(min(max(limit / 8, .milliseconds(50)), .seconds(60)))
        let inputs = self.inputs
        inactivityTimer = channel.eventLoop.scheduleRepeatedTask(initialDelay: amount, delay: amount) { _ in
            inputs.yield(.inactivityCheck)
        }
    }

    /// Ends the session with `* BYE Disconnected for inactivity.` once the limit has passed without input.
    func checkInactivity() {
        let received = traffic.received.load(ordering: .relaxed)
        if received != receivedAtLastCheck {
            receivedAtLastCheck = received
            lastInput = .now
        }
        guard !loggingOut, let limit = inactivityLimit, limit > .zero, ContinuousClock.now - lastInput >= limit else { return }
        encoder.writeUntagged(.bye, Self.inactivityBye, into: &output)
        end(.inactivity)
    }

    /// SIGTERM: the running command has finished (inputs are handled in order); say goodbye and close.
    func shutDown() {
        guard !loggingOut else { return }
        encoder.writeUntagged(.bye, "Server shutting down.", into: &output)
        end(.shutdown)
    }

    /// One line at the end of a session, like Dovecot's: after login the reason, then `imap_logout_format`;
    /// before login imap-login's line (see `logEndBeforeLogin`).
    func logEnd() {
        guard userName != nil else { return logEndBeforeLogin() }
        let received = traffic.received.load(ordering: .relaxed)
        let sent = traffic.sent.load(ordering: .relaxed)
        let text = statistics.logoutText(
            format: configuration.logoutFormat, received: received, sent: sent,
            session: connection.sessionID)
        logger.info("\((endReason ?? .closedByServer("Connection closed")).logText) \(text)")
    }
}
