/// One login attempt as a protocol server (IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS) hands it over.
public struct AuthRequest: Sendable {
    public var user: String
    public var password: String
    /// `imap`, `pop3`, `lmtp` …: available to templates as `%s`.
    public var service: String
    public var remoteIP: String?
    public var localIP: String?
    /// The connection is TLS-protected or local.
    public var secured: Bool

    public init(
        user: String, password: String, service: String, remoteIP: String? = nil,
        localIP: String? = nil, secured: Bool = false
    ) {
        self.user = user
        self.password = password
        self.service = service
        self.remoteIP = remoteIP
        self.localIP = localIP
        self.secured = secured
    }
}

/// A user as the userdb describes them: the canonical name and fields the storage uses.
/// uid/gid are kept as given but ObjectMail runs as one service user and does not switch to them.
public struct UserRecord: Sendable, Equatable {
    public var user: String
    public var fields: [String: String]

    public init(user: String, fields: [String: String]) {
        self.user = user
        self.fields = fields
    }

    public var home: String? { fields["home"] }
    public var mail: String? { fields["mail"] }
    public var quotaRule: String? { fields["quota_rule"] }
}

public struct AuthSuccess: Sendable, Equatable {
    /// The canonical user name the session runs as (the target user for master logins).
    public var user: String
    /// The master user who logged in as `user`, if any.
    public var masterUser: String?
    /// Extra fields from the passdb (proxy, host, nologin reasons …), without `userdb_` ones.
    public var passdbFields: [String: String]
    public var userdb: UserRecord
}

/// Why a login failed: for the log only. Clients must get the same message for every reason,
/// so that they cannot tell an unknown user from a wrong password.
public enum AuthFailureReason: String, Sendable, Equatable {
    case unknownUser = "unknown user"
    case passwordMismatch = "password mismatch"
    case loginDisabled = "login disabled (nologin)"
    case denied = "denied by passdb"
    case networkNotAllowed = "remote IP not in allow_nets"
    case unknownInUserdb = "user missing from userdb"
}

public enum AuthResult: Sendable, Equatable {
    case success(AuthSuccess)
    case failure(AuthFailureReason)
    /// A backend failed (database down, unreadable file): the client should retry later.
    case temporaryFailure(String)

    /// What a protocol server says for a failure, whatever the reason.
    public static let failureMessage = "Authentication failed."
    public static let temporaryFailureMessage = "Temporary authentication failure."

    public var isSuccess: Bool { if case .success = self { return true } else { return false } }
}

/// A backend could not answer (as opposed to "no such user").
public struct AuthBackendError: Error, Sendable, CustomStringConvertible {
    public var driver: String
    public var message: String

    public init(driver: String, _ message: String) {
        self.driver = driver
        self.message = message
    }

    public var description: String { "\(driver): \(message)" }
}
