import Foundation

/// What ManageSieve needs of the personal script storage (`MailUser+SieveScripts`) beyond doveadm's verbs: a rename
/// and the sizes its quotas count.
extension MailUser {
    /// Gives a script a new name; the active script stays active under it (Pigeonhole's RENAMESCRIPT). A name taken,
    /// its own included, is `scriptExists`.
    public func renameSieveScript(named old: String, to new: String) async throws {
        try SieveScriptName.validate(new)
        guard let hash = try await mapErrors({ try await index.state(Self.sieveScriptKeyPrefix + old) }) else {
            throw SieveStorageError.scriptNotFound(old)
        }
        guard try await mapErrors({ try await index.state(Self.sieveScriptKeyPrefix + new) }) == nil else {
            throw SieveStorageError.scriptExists(new)
        }
        let active = try await mapErrors { try await index.state(Self.sieveActiveKey) }
        try await mapErrors {
            try await index.setState(Self.sieveScriptKeyPrefix + new, hash)
            try await index.setState(Self.sieveScriptKeyPrefix + old, nil)
            if active == old { try await index.setState(Self.sieveActiveKey, new) }
        }
        scheduleUpload()
        try await flush()
    }

    /// The size in bytes of each of the user's scripts, by name (for `sieve_quota_max_storage`).
    public func sieveScriptSizes() async throws -> [String: Int] {
        var sizes: [String: Int] = [:]
        for entry in try await sieveScripts() {
            if let text = try await sieveScript(named: entry.name) { sizes[entry.name] = text.utf8.count }
        }
        return sizes
    }
}
