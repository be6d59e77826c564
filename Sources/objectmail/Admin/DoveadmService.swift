import Foundation
import MailModel
import ObjectMail

/// Executes doveadm's mail verbs for one user with the process's `MailStorage`: in the running server
/// (requests from the admin socket) or, with no server, in the command line process itself.
enum DoveadmService {
    static func answer(_ json: String, storage: MailStorage) async -> String {
        var response = DoveadmResponse()
        do {
            let request = try JSONDecoder().decode(DoveadmRequest.self, from: Data(json.utf8))
            response = await execute(request, storage: storage)
        } catch {
            response.fail(DoveadmExit.software, "invalid request: \(error)")
        }
        let encoded = (try? JSONEncoder().encode(response)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return encoded + "\n"
    }

    static func execute(_ request: DoveadmRequest, storage: MailStorage) async -> DoveadmResponse {
        var response = DoveadmResponse()
        if request.command == "who" || request.command == "kick" {
            await DoveadmSessions.run(request, into: &response)
            return response
        }
        do {
            let user = try await storage.user(request.user)
            try await run(request, user: user, storage: storage, into: &response)
        } catch let failure as Usage {
            response.fail(failure.code, failure.message)
        } catch let failure as DoveadmQuery.Failure {
            // doveadm stops with "Fatal:" on a query it cannot parse, which exits 75.
            response.fail(DoveadmExit.temporaryFailure, failure.description)
        } catch {
            let (code, message) = describe(error)
            response.fail(code, message)
        }
        return response
    }

    /// Arguments doveadm refuses: EX_USAGE (64), or 75 where doveadm stops with a fatal error.
    struct Usage: Error {
        let message: String
        var code: Int32 = 64
    }

    /// A storage error as doveadm reports it, with its exit code.
    static func describe(_ error: any Error) -> (Int32, String) {
        if let sieve = error as? SieveStorageError { return DoveadmSieve.describe(sieve) }
        guard let storage = error as? StorageError else { return (DoveadmExit.temporaryFailure, "\(error)") }
        switch storage {
        case .mailboxNotFound(_, let mailbox): return (DoveadmExit.notFound, "Mailbox doesn't exist: \(mailbox)")
        case .mailboxExists: return (DoveadmExit.dataError, "Mailbox already exists")
        case .invalidName(let name, let reason): return (DoveadmExit.dataError, "Invalid mailbox name: \(reason): \(name)")
        case .notAllowed(_, _, let reason): return (DoveadmExit.dataError, reason + ".")
        case .quotaExceeded(_, _, let message): return (DoveadmExit.noPermission, message)
        default: return (DoveadmExit.temporaryFailure, storage.description)
        }
    }

    private static func run(
        _ request: DoveadmRequest, user: MailUser, storage: MailStorage,
        into response: inout DoveadmResponse
    ) async throws {
        let arguments = request.arguments
        let flag = { (name: String) in request.options[name] != nil }
        if ["search", "expunge"].contains(request.command) && arguments.isEmpty {
            throw Usage(message: "\(request.command): the search query is missing")
        }
        switch request.command {
        case "mailbox list":
            try await DoveadmMailboxes.list(user, masks: arguments, subscribedOnly: flag("s"), into: &response)
        case "mailbox status":
            guard let fields = arguments.first, arguments.count > 1 else { throw Usage(message: "mailbox status: fields and a mailbox mask are needed") }
            try await DoveadmMailboxes.status(user, fields: fields, masks: Array(arguments.dropFirst()), total: flag("t"), into: &response)
        case "mailbox create":
            for name in arguments {
                await attempt("Can't create mailbox \(name)", into: &response) {
                    try await user.createMailbox(name)
                    if flag("s") { try await user.setSubscribed(name, true) }
                }
            }
        case "mailbox delete":
            try await DoveadmMailboxes.delete(user, names: arguments, recursive: flag("r"), unsubscribe: flag("s"), into: &response)
        case "mailbox rename":
            guard arguments.count == 2 else { throw Usage(message: "mailbox rename: OLD NEW") }
            await attempt("Can't rename mailbox \(arguments[0]) to \(arguments[1])", into: &response) {
                try await user.renameMailbox(arguments[0], to: arguments[1])
                if flag("s") {
                    try await user.setSubscribed(arguments[0], false)
                    try await user.setSubscribed(arguments[1], true)
                }
            }
        case "mailbox subscribe", "mailbox unsubscribe":
            let subscribe = request.command == "mailbox subscribe"
            for name in arguments {
                await attempt("Can't \(subscribe ? "subscribe to" : "unsubscribe") mailbox \(name)", into: &response) {
                    try await user.setSubscribed(name, subscribe)
                }
            }
        case "search":
            try await DoveadmMessages.search(user, query: DoveadmQuery(arguments), into: &response)
        case "fetch":
            guard let fields = arguments.first else { throw Usage(message: "fetch: fields and a search query are needed") }
            try await DoveadmMessages.fetch(user, fields: fields, query: DoveadmQuery(Array(arguments.dropFirst())), into: &response)
        case "expunge":
            try await DoveadmMessages.expunge(user, query: DoveadmQuery(arguments), into: &response)
        case "copy", "move":
            guard let destination = arguments.first, arguments.count > 1 else { throw Usage(message: "\(request.command): DESTINATION QUERY") }
            if arguments[1].lowercased() == "user" {
                throw Usage(message: "\(request.command) from another user (user SOURCE_USER) is not supported")
            }
            try await DoveadmMessages.transfer(
                user, move: request.command == "move", to: destination,
                query: DoveadmQuery(Array(arguments.dropFirst())), into: &response)
        case "flags add", "flags remove", "flags replace":
            guard let flags = arguments.first else { throw Usage(message: "flags: flags and a search query are needed") }
            let operation: FlagChange.Operation = request.command == "flags add" ? .add : request.command == "flags remove" ? .remove : .replace
            try await DoveadmMessages.flags(user, operation, flags: flags, query: DoveadmQuery(Array(arguments.dropFirst())), into: &response)
        case "quota get":
            await user.applyUserdbFields(request.userdbFields)
            DoveadmQuotaRows.get(try await user.quotaUsage(), into: &response)
        case "quota recalc":
            // Usage is counted from the index at every check, so there is no stored sum to correct: recalculating
            // is reading it again, which also tells whether the index can be read.
            await user.applyUserdbFields(request.userdbFields)
            _ = try await user.quotaUsage()
        case "sieve put", "sieve activate", "sieve deactivate", "sieve list", "sieve get", "sieve delete":
            try await DoveadmSieve.run(request, user: user, into: &response)
        case "force-resync":
            // The index is per user: a resync lists every folder of the user, whatever the mask.
            _ = try await user.revalidate(reason: "force-resync requested")
        default:
            throw Usage(message: "unknown command '\(request.command)'")
        }
    }

    /// Runs one object's change; a failure is reported and the next object is still tried, as doveadm does.
    static func attempt(_ what: String, into response: inout DoveadmResponse, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            let (code, message) = describe(error)
            response.fail(code, "\(what): \(message)")
        }
    }
}
