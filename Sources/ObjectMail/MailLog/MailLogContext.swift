import Logging

/// The logger of the session running the current command (IMAP, POP3, LMTP), so that lines the storage writes for
/// it (mail_log, autoexpunge) carry that session's prefix, `imap(user)<session>: `, as Dovecot's do. A session sets it
/// around its work with `MailLogContext.$sessionLogger.withValue(logger) { … }`; work without one logs under the
/// user's own logger.
public enum MailLogContext {
    @TaskLocal public static var sessionLogger: Logger?
}
