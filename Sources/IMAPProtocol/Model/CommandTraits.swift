/// What the protocol says about a command, whatever a server does to run it: the state it needs (RFC 9051 §6)
/// and how it relates to message sequence numbers, as Dovecot's command table marks each command with
/// `COMMAND_FLAG_USES_SEQS` and `COMMAND_FLAG_BREAKS_SEQS`.
public struct CommandTraits: Sendable, Equatable {
    public enum RequiredState: Sendable, Equatable {
        case any
        case notAuthenticated
        case authenticated
        case selected
    }

    public let state: RequiredState
    /// Its arguments or answers name messages by sequence number: while it runs, no EXPUNGE may renumber them
    /// (RFC 3501 §7.4.1, RFC 9051 §7.5.1: not during FETCH, STORE or SEARCH; Dovecot adds COPY, SORT, THREAD).
    public let usesSequenceNumbers: Bool
    /// It removes messages (EXPUNGE, MOVE), so its own success is reported with EXPUNGE responses, whatever
    /// `usesSequenceNumbers` says of the others'.
    public let breaksSequenceNumbers: Bool
    /// It asks for the selected mailbox's news even when NOTIFY (RFC 5465 §5) turned them off.
    public let solicitsUpdates: Bool

    init(
        _ state: RequiredState, usesSequenceNumbers: Bool = false, breaksSequenceNumbers: Bool = false,
        solicitsUpdates: Bool = false
    ) {
        self.state = state
        self.usesSequenceNumbers = usesSequenceNumbers
        self.breaksSequenceNumbers = breaksSequenceNumbers
        self.solicitsUpdates = solicitsUpdates
    }

    /// Whether other sessions' expunges may be reported (EXPUNGE or VANISHED) while it answers.
    public var mayReportExpunges: Bool { !usesSequenceNumbers }
}

extension IMAPCommand {
    /// This command's entry in the command table.
    public var traits: CommandTraits {
        switch self {
        case .capability, .noop, .logout, .id:
            CommandTraits(.any, solicitsUpdates: self == .noop)
        case .starttls, .authenticate, .login:
            CommandTraits(.notAuthenticated)
        case .enable, .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .lsub, .namespace,
            .status, .append, .idle, .getQuota, .getQuotaRoot, .setQuota, .compress, .notify, .getMetadata, .setMetadata:
            CommandTraits(.authenticated)
        case .check:
            CommandTraits(.selected, solicitsUpdates: true)
        case .close, .expunge, .uidExpunge:
            CommandTraits(.selected, breaksSequenceNumbers: self != .close, solicitsUpdates: true)
        case .unselect, .cancelUpdate:
            CommandTraits(.selected)
        case .move(_, _, let uid):
            CommandTraits(.selected, usesSequenceNumbers: !uid, breaksSequenceNumbers: true, solicitsUpdates: true)
        case .search(_, let uid), .fetch(_, _, _, let uid), .store(_, _, _, let uid), .copy(_, _, let uid),
            .sort(_, let uid), .thread(_, let uid):
            CommandTraits(.selected, usesSequenceNumbers: !uid)
        }
    }
}
