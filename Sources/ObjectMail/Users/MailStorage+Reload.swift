/// What a reload (SIGHUP) can change in the storage without a restart: the quota rules. Users opened from
/// now on get them, and so does every open user at once (its next save is checked against the new rules,
/// with the userdb's overrides of its last login still applied), as Dovecot's new processes would.
extension MailStorage {
    /// How users opened without a userdb answer (admin commands) find their `home` and `mail`.
    public nonisolated func locateUsers(with locator: UserLocator?) {
        userLocator.withLock { $0 = locator }
    }

    public func reload(quota: QuotaConfiguration?) async {
        current.withLock { $0.quota = quota }
        for user in active.values { await user.reload(quota: quota) }
    }
}

extension MailUser {
    func reload(quota: QuotaConfiguration?) {
        self.quota = quota
        applyUserdbFields(userdbFields)
    }
}
