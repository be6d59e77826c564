import Foundation
import MailModel
import ObjectMail

/// `search`, `fetch`, `expunge` and `flags add|remove|replace` of doveadm: the query picks the mailboxes
/// (`mailbox NAME`, or every one) and the storage's search engine the messages in each.
enum DoveadmMessages {
    /// Each selected mailbox with the UIDs that match in it. A `mailbox NAME` without wildcards that does not
    /// exist is an error (EX_NOTFOUND), as in doveadm.
    static func matches(_ user: MailUser, query: DoveadmQuery) async throws -> [(Mailbox, [UInt32])] {
        for mask in query.mailboxMasks where !mask.contains("*") && !mask.contains("%") {
            _ = try await user.mailbox(mask)
        }
        var result: [(Mailbox, [UInt32])] = []
        for listing in DoveadmMailboxes.ordered(try await user.listMailboxes()) where listing.exists {
            let mailbox = try await user.mailbox(listing.name.value)
            guard query.selects(name: mailbox.name, guid: mailbox.guid) else { continue }
            result.append((mailbox, try await user.search(query.search, in: mailbox)))
        }
        return result
    }

    static func search(_ user: MailUser, query: DoveadmQuery, into response: inout DoveadmResponse) async throws {
        response.fields = ["mailbox-guid", "uid"]
        response.hiddenTitles = response.fields
        for (mailbox, uids) in try await matches(user, query: query) {
            response.rows += uids.map { [mailbox.guid, String($0)] }
        }
    }

    static func expunge(_ user: MailUser, query: DoveadmQuery, into response: inout DoveadmResponse) async throws {
        for (mailbox, uids) in try await matches(user, query: query) where !uids.isEmpty {
            _ = try await user.expungeMessages(UIDSet(uids), in: mailbox)
        }
    }

    /// `copy`/`move DESTINATION QUERY` inside the user (doveadm's `user SOURCE_USER` form is not supported): by
    /// reference, no object is copied. The destination itself is left out of the search.
    static func transfer(
        _ user: MailUser, move: Bool, to destinationName: String, query: DoveadmQuery,
        into response: inout DoveadmResponse
    ) async throws {
        let destination: Mailbox
        do {
            destination = try await user.mailbox(destinationName)
        } catch {
            let (code, message) = DoveadmService.describe(error)
            response.fail(code, "Can't open mailbox '\(destinationName)': \(message)")
            return
        }
        for (mailbox, uids) in try await matches(user, query: query) where !uids.isEmpty && mailbox.guid != destination.guid {
            if move {
                _ = try await user.moveMessages(UIDSet(uids), from: mailbox, to: destination)
            } else {
                _ = try await user.copyMessages(UIDSet(uids), from: mailbox, to: destination)
            }
        }
    }

    static func flags(
        _ user: MailUser, _ operation: FlagChange.Operation, flags text: String, query: DoveadmQuery,
        into response: inout DoveadmResponse
    ) async throws {
        var flags: MessageFlags = []
        var keywords: [String] = []
        for name in text.split(separator: " ").map(String.init) {
            if let flag = MessageFlags(imapName: name) {
                flags.insert(flag)
            } else if name.hasPrefix("\\") {
                throw DoveadmService.Usage(message: "Invalid system flag: \(name)", code: DoveadmExit.temporaryFailure)
            } else {
                keywords.append(name)
            }
        }
        for (mailbox, uids) in try await matches(user, query: query) where !uids.isEmpty {
            _ = try await user.storeFlags(FlagChange(operation, flags: flags, keywords: keywords), on: UIDSet(uids), in: mailbox)
        }
    }

    static let fetchFields: Set<String> = [
        "uid", "seq", "flags", "guid", "mailbox", "mailbox-guid", "modseq", "size.physical",
        "size.virtual", "date.received", "date.saved", "date.received.unixtime",
        "date.saved.unixtime", "hdr", "body", "text"
    ]

    static func fetch(_ user: MailUser, fields text: String, query: DoveadmQuery, into response: inout DoveadmResponse) async throws {
        let fields = text.split(separator: " ").map { $0.lowercased() }
        for field in fields where !fetchFields.contains(field) && !field.hasPrefix("hdr.") {
            throw DoveadmService.Usage(message: "Unknown fetch field: \(field)", code: DoveadmExit.temporaryFailure)
        }
        guard !fields.isEmpty else { throw DoveadmService.Usage(message: "No fetch fields given") }
        response.fields = fields
        let needsText = fields.contains { $0 == "hdr" || $0 == "body" || $0 == "text" || $0.hasPrefix("hdr.") }
        let dates = DateFormatter()
        dates.locale = Locale(identifier: "en_US_POSIX")
        dates.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for (mailbox, uids) in try await matches(user, query: query) where !uids.isEmpty {
            let states = try await user.messageStates(in: mailbox).sorted { $0.uid < $1.uid }
            let position = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1.uid, ($0 + 1, $1)) })
            for record in try await user.messages(UIDSet(uids), in: mailbox).sorted(by: { $0.uid < $1.uid }) {
                let message = needsText ? Self.lines(try await user.body(of: record)) : ""
                let split = message.range(of: "\n\n")
                let header = split.map { String(message[..<$0.upperBound]) } ?? message
                var row: [String] = []
                for field in fields {
                    switch field {
                    case "uid": row.append(String(record.uid))
                    case "seq": row.append(position[record.uid].map { String($0.0) } ?? "")
                    case "flags":
                        let state = position[record.uid]?.1
                        row.append(((state?.flags ?? record.flags).imapNames + (state?.keywords ?? [])).joined(separator: " "))
                    case "guid": row.append(record.guid)
                    case "mailbox": row.append(mailbox.name)
                    case "mailbox-guid": row.append(mailbox.guid)
                    case "modseq": row.append(String(record.modSeq))
                    case "size.physical": row.append(String(record.size))
                    case "size.virtual": row.append(String(record.virtualSize))
                    case "date.received": row.append(dates.string(from: Date(timeIntervalSince1970: Double(record.internalDate))))
                    case "date.saved": row.append(dates.string(from: Date(timeIntervalSince1970: Double(record.saveDate))))
                    case "date.received.unixtime": row.append(String(record.internalDate))
                    case "date.saved.unixtime": row.append(String(record.saveDate))
                    case "hdr": row.append(header)
                    case "body": row.append(split.map { String(message[$0.upperBound...]) } ?? "")
                    case "text": row.append(message)
                    default: row.append(Self.headerField(String(field.dropFirst(4)), in: header))
                    }
                }
                response.rows.append(row)
            }
        }
    }

    /// The message with LF line ends, as doveadm prints it.
    static func lines(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// `hdr.NAME`: the field's values, unfolded, joined by ", " when it occurs more than once.
    static func headerField(_ name: String, in header: String) -> String {
        var values: [String] = []
        var current: String?
        for line in header.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", current != nil {
                current! += " " + line.drop { $0 == " " || $0 == "\t" }
                continue
            }
            if let value = current {
                values.append(value)
                current = nil
            }
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            current = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
        }
        if let value = current { values.append(value) }
        return values.joined(separator: ", ")
    }
}
