import Foundation
import MailModel
import ObjectMail

/// `mailbox list|status|delete` of doveadm-mailbox(1).
enum DoveadmMailboxes {
    static func list(_ user: MailUser, masks: [String], subscribedOnly: Bool, into response: inout DoveadmResponse) async throws {
        response.fields = ["mailbox"]
        response.hiddenTitles = ["mailbox"]
        for listing in try await ordered(user.listMailboxes()) {
            if subscribedOnly ? !listing.subscribed : false { continue }
            guard masks.isEmpty || masks.contains(where: { MailboxMask.matches($0, listing.name.value) }) else { continue }
            response.rows.append([listing.name.value])
        }
    }

    /// INBOX first, then by name (doveadm lists in the storage's order; this one is stable).
    static func ordered(_ listings: [MailboxListing]) -> [MailboxListing] {
        listings.filter { $0.name.isInbox } + listings.filter { !$0.name.isInbox }
    }

    /// The existing mailboxes whose names match one of `masks`.
    static func matching(_ user: MailUser, masks: [String]) async throws -> [Mailbox] {
        var records: [Mailbox] = []
        for listing in ordered(try await user.listMailboxes()) where listing.exists {
            guard masks.contains(where: { MailboxMask.matches($0, listing.name.value) }) else { continue }
            records.append(try await user.mailbox(listing.name.value))
        }
        return records
    }

    static let statusFields = ["messages", "recent", "uidnext", "uidvalidity", "unseen", "highestmodseq", "vsize", "guid", "firstsaved"]
    static let summableFields: Set<String> = ["messages", "recent", "unseen", "vsize"]

    static func status(
        _ user: MailUser, fields text: String, masks: [String], total: Bool,
        into response: inout DoveadmResponse
    ) async throws {
        var wanted: Set<String> = []
        for field in text.split(separator: " ").map({ $0.lowercased() }) {
            if field == "all" {
                wanted.formUnion(statusFields)
            } else if statusFields.contains(field) {
                wanted.insert(field)
            } else {
                throw DoveadmService.Usage(message: "Unknown status field: \(field)")
            }
        }
        let fields = statusFields.filter { wanted.contains($0) && (!total || summableFields.contains($0)) }
        guard !fields.isEmpty else { throw DoveadmService.Usage(message: "No status fields to print") }
        response.fields = total ? fields : ["mailbox"] + fields
        response.hiddenTitles = ["mailbox"]
        var sums = [Int64](repeating: 0, count: fields.count)
        // A name without wildcards that does not exist is an error (EX_NOTFOUND); the other masks are still shown.
        for mask in masks where !mask.contains("*") && !mask.contains("%") {
            await DoveadmService.attempt("Mailbox \(mask): Failed to lookup mailbox status", into: &response) { _ = try await user.mailbox(mask) }
        }
        for mailbox in try await matching(user, masks: masks) {
            let states = try await user.messageStates(in: mailbox)
            var row: [String] = []
            for (position, field) in fields.enumerated() {
                let value: Int64
                switch field {
                case "messages": value = Int64(states.count)
                case "recent": value = Int64(states.filter { $0.uid >= mailbox.firstRecentUID }.count)
                case "uidnext": value = Int64(mailbox.uidNext)
                case "uidvalidity": value = Int64(mailbox.uidValidity)
                case "unseen": value = Int64(states.filter { !$0.flags.contains(.seen) }.count)
                case "highestmodseq": value = max(mailbox.highestModSeq, 1)
                case "vsize": value = try await user.messages(.all, in: mailbox).reduce(Int64(0)) { $0 + $1.virtualSize }
                case "firstsaved":
                    // The save date of the oldest message still there; "never" for an empty mailbox, as doveadm prints.
                    let first = try await user.messages(.all, in: mailbox).map(\.saveDate).min()
                    row.append(first.map(String.init) ?? "never")
                    continue
                default:
                    row.append(mailbox.guid)
                    continue
                }
                sums[position] += value
                row.append(String(value))
            }
            if !total { response.rows.append([mailbox.name] + row) }
        }
        if total { response.rows = [sums.map(String.init)] }
    }

    /// `-r` deletes the mailboxes below each name first (deepest first), then the name itself.
    static func delete(
        _ user: MailUser, names: [String], recursive: Bool, unsubscribe: Bool,
        into response: inout DoveadmResponse
    ) async throws {
        var targets: [String] = []
        let listings = try await user.listMailboxes()
        for name in names {
            if recursive {
                let below = listings.filter { $0.exists && $0.name.value.hasPrefix(name + String(MailboxName.separator)) }.map(\.name.value)
                targets += below.sorted { $0.count > $1.count }
                // A name that exists only as the parent of others goes with them.
                if listings.contains(where: { $0.name.value == name && !$0.exists }) { continue }
            }
            targets.append(name)
        }
        for name in targets {
            await DoveadmService.attempt("Can't delete mailbox \(name)", into: &response) {
                try await user.deleteMailbox(name)
                if unsubscribe { try await user.setSubscribed(name, false) }
            }
        }
    }
}

/// `quota get`: doveadm-quota(1)'s table, STORAGE in kilobytes.
enum DoveadmQuotaRows {
    static func get(_ usage: QuotaUsage?, into response: inout DoveadmResponse) {
        response.fields = ["root", "type", "value", "limit", "percent"]
        response.titles = ["root": "Quota name", "type": "Type", "value": "Value", "limit": "Limit", "percent": "%"]
        guard let usage else { return }
        func row(_ type: String, _ value: Int64, _ limit: Int64?) -> [String] {
            let percent = limit.map { $0 > 0 ? value * 100 / $0 : 0 } ?? 0
            return [usage.rootName, type, String(value), limit.map(String.init) ?? "-", String(percent)]
        }
        response.rows.append(row("STORAGE", usage.bytes / 1024, usage.limits.storage.map { $0 / 1024 }))
        response.rows.append(row("MESSAGE", usage.messages, usage.limits.messages))
    }
}
