extension IMAPSession {
    /// `rip=… lip=…` as Dovecot writes them (a Unix socket has no IP: `local`); behind a trusted proxy,
    /// the addresses it forwarded.
    var addressesForLog: String { transport.client.logFields }

    /// The line imap-login writes when a connection ends without a login, which fail2ban's dovecot
    /// filter and operators' scripts look for:
    /// `Aborted login (auth failed, 2 attempts in 5 secs): user=<joe>, method=PLAIN, rip=…, lip=…, session=<…>`,
    /// `Disconnected: Inactivity (no auth attempts in 180 secs): user=<>, rip=…, lip=…, session=<…>`.
    func logEndBeforeLogin() {
        let seconds = Int((ContinuousClock.now - connectedAt) / .seconds(1))
        let attempts = failedLogins > 0 ? "auth failed, \(failedLogins) attempts in \(seconds) secs"
                                        : "no auth attempts in \(seconds) secs"
        // A client that simply goes away after failing is "Aborted login"; without attempts, "Disconnected".
        let reason = endReason?.loginLogText ?? (failedLogins > 0 ? "Aborted login" : "Disconnected")
        let method = lastLoginAttempt.map { ", method=\($0.method)" } ?? ""
        let user = lastLoginAttempt?.user ?? ""
        logger.info("\(reason) (\(attempts)): user=<\(user)>\(method), \(addressesForLog), session=<\(connection.sessionID)>")
    }
}
