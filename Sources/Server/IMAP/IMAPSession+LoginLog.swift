extension IMAPSession {
    /// `rip=… lip=…` as Dovecot writes them (a Unix socket has no IP: `local`); behind a trusted proxy,
    /// the addresses it forwarded.
    var addressesForLog: String { transport.client.logFields }

    /// imap-login's line when a connection ends without a login (`PreLoginEndLine`).
    func logEndBeforeLogin() {
        let line = PreLoginEndLine(
            failedLogins: failedLogins, lastAttempt: lastLoginAttempt,
            connectedFor: ContinuousClock.now - connectedAt, reason: endReason?.loginLogText)
        logger.info("\(line.text(addresses: addressesForLog, session: connection.sessionID))")
    }
}
