import IMAPProtocol
import ObjectMail

/// LIST with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE (RFC 6154); LSUB.
extension IMAPSession {
    /// The special-use attributes RFC 6154 defines; CREATE (USE (…)) takes exactly one of them.
    static let specialUseAttributes: Set<String> = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"]

    /// The LIST line IMAP4rev2 sends in a SELECT answer.
    func writeSelectedListing(_ name: String, user: MailUser) async throws {
        try await list(ListCommand(reference: "", patterns: [name]), user: user, wildcards: false)
    }

    /// `wildcards: false` takes the patterns as plain names (a mailbox called `a*b`).
    func list(_ command: ListCommand, user: MailUser, lsub: Bool = false, wildcards: Bool = true) async throws {
        let separator = MailboxName.separator
        if !command.patterns.isEmpty && command.patterns.allSatisfy(\.isEmpty) {
            // The hierarchy delimiter query (RFC 3501 §6.3.8).
            encoder.writeList(ListEntry(attributes: ["\\Noselect"], delimiter: separator, name: ""), lsub: lsub, into: &output)
            return
        }
        if lsub { return try await writeSubscriptions(command, user: user) }
        let selection = Set(command.selectionOptions)
        let subscribedOnly = selection.contains(.subscribed)
        let specialUseOnly = selection.contains(.specialUse)
        let recursiveMatch = selection.contains(.recursiveMatch)
        let returnSubscribed = !lsub && (subscribedOnly || command.returnOptions.contains(.subscribed))
        let statusItems = command.returnOptions.lazy.compactMap { if case .status(let items) = $0 { items } else { nil } }.first
        let patterns = command.patterns.filter { !$0.isEmpty }.map { MailboxPattern(command.reference + $0, separator: separator) }
        func matches(_ name: String) -> Bool {
            wildcards ? patterns.contains { $0.matches(name) } : command.patterns.contains(name)
        }

        var listings = try await user.listMailboxes()
        if subscribedOnly {
            // Subscriptions outlive their mailboxes: those list as \NonExistent (RFC 5258 §3).
            let known = Set(listings.map(\.name.value))
            for name in try await user.subscribedNames() where !known.contains(name) {
                guard let parsed = try? MailboxName(name) else { continue }
                listings.append(MailboxListing(name: parsed, exists: false, hasChildren: false, subscribed: true, specialUse: nil))
            }
            listings.sort { $0.name < $1.name }
        }
        let subscribedNames = listings.filter(\.subscribed).map(\.name.value)
        for listing in listings {
            let name = listing.name.value
            guard matches(name) else { continue }
            if specialUseOnly && listing.specialUse == nil { continue }
            // RECURSIVEMATCH: a parent is listed for subscribed descendants the patterns do not reach, with CHILDINFO.
            let prefix = name + String(separator)
            let subscribedBelow =
                recursiveMatch && subscribedOnly
                && subscribedNames.contains { $0.hasPrefix(prefix) && !matches($0) }
            if subscribedOnly && !listing.subscribed && !subscribedBelow { continue }
            var attributes: [String] = []
            if !listing.exists {
                let nonExistent = subscribedOnly && !listing.hasChildren
                attributes.append(nonExistent ? "\\NonExistent" : "\\Noselect")
            }
            attributes.append(listing.hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            if returnSubscribed && listing.subscribed { attributes.append("\\Subscribed") }
            if let specialUse = listing.specialUse { attributes.append(specialUse) }
            encoder.writeList(
                ListEntry(
                    attributes: attributes, delimiter: separator, name: name,
                    childInfo: subscribedBelow ? ["SUBSCRIBED"] : []), into: &output)
            // LIST-STATUS: a mailbox that vanished meanwhile simply gets no STATUS (RFC 5819 §2).
            if let statusItems, listing.exists {
                try? await status(mailbox: name, attributes: statusItems, user: user)
            }
        }
    }

    /// LSUB (RFC 3501 §6.3.9): the subscribed names the patterns match, whether the mailbox exists or not (no
    /// attributes, as Dovecot answers; with the `tb-lsub-flags` workaround a name without a mailbox is \Noselect,
    /// as Dovecot's workaround for Thunderbird marks it). A pattern ending in `%` also lists an unsubscribed parent
    /// of a subscribed name at that level, flagged \Noselect: "foo/bar" subscribed, "foo" not, `LSUB "" %` answers foo.
    private func writeSubscriptions(_ command: ListCommand, user: MailUser) async throws {
        let separator = MailboxName.separator
        let patterns = command.patterns.map { MailboxPattern(command.reference + $0, separator: separator) }
        let parentPatterns = patterns.filter { $0.characters.last == "%" }
        let subscribed = Set(try await user.subscribedNames())
        var entries: [MailboxName: Bool] = [:] // name → listed as a \Noselect parent
        for name in subscribed {
            guard let parsed = try? MailboxName(name) else { continue }
            if patterns.contains(where: { $0.matches(name) }) { entries[parsed] = false }
            for parent in parsed.ancestors where !subscribed.contains(parent) && parentPatterns.contains(where: { $0.matches(parent) }) {
                if let parentName = try? MailboxName(parent) { entries[parentName] = true }
            }
        }
        if configuration.clientWorkarounds.contains(.tbLsubFlags), entries.values.contains(false) {
            let existing = Set(try await user.listMailboxes().filter(\.exists).map(\.name))
            for (name, parent) in entries where !parent && !existing.contains(name) { entries[name] = true }
        }
        for name in entries.keys.sorted() {
            encoder.writeList(
                ListEntry(attributes: entries[name] == true ? ["\\Noselect"] : [], delimiter: separator, name: name.value),
                lsub: true, into: &output)
        }
    }
}
