/// Per-process session state that the protocols' configurations do not own: a reload (SIGHUP) builds new
/// protocol services from the new settings and hands them the same registries, so sessions opened before
/// it still count against `mail_max_userip_connections` and still hold their POP3 maildrop lock.
public struct SessionRegistries: Sendable {
    let imapUserIP = UserIPCounts()
    let pop3UserIP = UserIPCounts()
    let pop3Locks = POP3SessionLocks()
    let sieveUserIP = UserIPCounts()

    public init() {}
}
