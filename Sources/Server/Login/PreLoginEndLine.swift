/// The line Dovecot's imap-login and pop3-login write when a connection ends without a login, which fail2ban's
/// stock `dovecot` filter and operators' scripts look for:
/// `Aborted login (auth failed, 2 attempts in 5 secs): user=<joe>, method=PLAIN, rip=…, lip=…, session=<…>`,
/// `Disconnected (no auth attempts in 180 secs): user=<>, rip=…, lip=…, session=<…>`.
struct PreLoginEndLine {
    /// Failed authentications on the connection.
    var failedLogins: Int
    /// The user and SASL mechanism of the last attempt (the LOGIN and USER/PASS commands count as PLAIN).
    var lastAttempt: (user: String, method: String)?
    var connectedFor: Duration
    /// The protocol's own words when it ended the connection (inactivity, shutdown …); nil when the client left.
    var reason: String?

    func text(addresses: String, session: String) -> String {
        let seconds = Int(connectedFor / .seconds(1))
        let attempts =
            failedLogins > 0
            ? "auth failed, \(failedLogins) attempts in \(seconds) secs"
            : "no auth attempts in \(seconds) secs"
        // A client that simply goes away after failing is "Aborted login"; without attempts, "Disconnected".
        let reason = self.reason ?? (failedLogins > 0 ? "Aborted login" : "Disconnected")
        let method = lastAttempt.map { ", method=\($0.method)" } ?? ""
        return "\(reason) (\(attempts)): user=<\(lastAttempt?.user ?? "")>\(method), \(addresses), session=<\(session)>"
    }
}
