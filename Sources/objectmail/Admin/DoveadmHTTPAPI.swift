import Auth
import Config
import Foundation
import Logging
import ObjectMail
import Server

/// Dovecot's doveadm HTTP API (`service doveadm { inet_listener http { port = 8080 } }`): `POST /doveadm/v1` with
/// `[["mailboxList", {"user": "joe", "mailboxMask": ["*"]}, "tag1"], …]`, answered with
/// `[["doveadmResponse", [{"mailbox": "INBOX"}, …], "tag1"]]` or `[["error", {"type": "exitCode", "exitCode": 68}, "tag1"]]`.
/// Authenticated with `doveadm_password` (HTTP Basic, user doveadm) or `doveadm_api_key` (`X-Dovecot-API`).
/// The commands run in the server like the admin socket's, on the same `MailUser` actors.
enum DoveadmHTTPAPI {
    static func start(settings: Settings, storage: MailStorage, logger: Logger) async throws -> DoveadmHTTPServer? {
        let specs = try ListenerSpec.doveadmHTTPListeners(from: settings)
        guard !specs.isEmpty else { return nil }
        let password = settings.string("doveadm_password")
        let key = settings.string("doveadm_api_key")
        if password.isEmpty && key.isEmpty {
            logger.error("service doveadm: neither doveadm_password nor doveadm_api_key is set; every HTTP API request is refused")
        }
        let authenticator = try Authenticator(settings: settings)
        let server = try await DoveadmHTTPServer.start(specs) { request in
            await answer(request, password: password, key: key, storage: storage, authenticator: authenticator, logger: logger)
        }
        for spec in specs { logger.notice("listening: \(spec) (doveadm HTTP API)") }
        return server
    }

    static func answer(
        _ request: DoveadmHTTPServer.Request, password: String, key: String, storage: MailStorage,
        authenticator: Authenticator, logger: Logger
    ) async -> DoveadmHTTPServer.Reply {
        guard authorized(request.authorization, password: password, key: key) else {
            return DoveadmHTTPServer.Reply(
                status: 401, body: "",
                headers: [("WWW-Authenticate", "Basic realm=\"doveadm\""), ("Content-Type", "text/plain")])
        }
        guard request.path == "/doveadm/v1" else { return DoveadmHTTPServer.Reply(status: 404, body: "") }
        if request.method == "GET" {
            let names = commands.keys.sorted().map { "{\"command\":\(DoveadmPrinter.quoted($0)),\"parameters\":[]}" }
            return DoveadmHTTPServer.Reply(status: 200, body: "[" + names.joined(separator: ",") + "]")
        }
        guard request.method == "POST" else { return DoveadmHTTPServer.Reply(status: 405, body: "") }
        guard let calls = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [[Any]] else {
            return DoveadmHTTPServer.Reply(status: 400, body: "")
        }
        var answers: [String] = []
        for call in calls {
            guard call.count == 3, let name = call[0] as? String, let parameters = call[1] as? [String: Any], let tag = call[2] as? String else {
                return DoveadmHTTPServer.Reply(status: 400, body: "")
            }
            let result = await run(name, parameters, storage: storage, authenticator: authenticator)
            logger.info("doveadm HTTP API: \(name)\(parameters["user"].map { " user=\($0)" } ?? "") exit=\(result.exitCode)")
            for error in result.errors { logger.error("doveadm HTTP API: \(name): \(error)") }
            if result.exitCode != 0 {
                let type = result.exitCode == unknownMethod ? "{\"type\":\"unknownMethod\"}" : "{\"type\":\"exitCode\", \"exitCode\":\(result.exitCode)}"
                answers.append("[\"error\",\(type),\(DoveadmPrinter.quoted(tag))]")
            } else {
                answers.append("[\"doveadmResponse\",\(DoveadmPrinter.render(result, .json)),\(DoveadmPrinter.quoted(tag))]")
            }
        }
        return DoveadmHTTPServer.Reply(status: 200, body: "[" + answers.joined(separator: ",") + "]")
    }

    static func authorized(_ header: String, password: String, key: String) -> Bool {
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        switch parts[0].lowercased() {
        case "basic":
            guard !password.isEmpty, let decoded = Data(base64Encoded: parts[1]) else { return false }
            return String(decoding: decoded, as: UTF8.self) == "doveadm:\(password)"
        case "x-dovecot-api":
            guard !key.isEmpty, let decoded = Data(base64Encoded: parts[1]) else { return false }
            return String(decoding: decoded, as: UTF8.self) == key
        default:
            return false
        }
    }

    /// Not a sysexits code: marks a command name the API does not know.
    static let unknownMethod: Int32 = -1

    /// The parameters of one call, by doveadm's names (`mailbox-mask` is `mailboxMask` in JSON).
    struct Parameters {
        let values: [String: Any]
        func strings(_ name: String) -> [String] {
            if let list = values[name] as? [Any] { return list.map { "\($0)" } }
            if let text = values[name] as? String { return text.split(separator: " ").map(String.init) }
            return []
        }
        func string(_ name: String) -> String? { values[name].map { "\($0)" } }
        func flag(_ name: String) -> Bool { (values[name] as? Bool) ?? ((values[name] as? String).map { $0 == "true" || $0 == "1" } ?? false) }
    }

    /// Each API name: the verb, its options and its positional arguments from the parameters.
    static let commands: [String: (verb: String, build: @Sendable (Parameters) -> ([String: String], [String]))] = [
        "mailboxList": ("mailbox list", { p in (p.flag("subscriptions") ? ["s": ""] : [:], p.strings("mailboxMask")) }),
        "mailboxStatus": (
            "mailbox status",
            { p in
                (
                    p.flag("totalSum") ? ["t": ""] : [:],
                    [p.strings("field").joined(separator: " ")] + p.strings("mailboxMask")
                )
            }
        ),
        "mailboxCreate": ("mailbox create", { p in (p.flag("subscriptions") ? ["s": ""] : [:], p.strings("mailbox")) }),
        "mailboxDelete": (
            "mailbox delete",
            { p in
                var options: [String: String] = [:]
                if p.flag("recursive") { options["r"] = "" }
                if p.flag("subscriptions") { options["s"] = "" }
                return (options, p.strings("mailbox"))
            }
        ),
        "mailboxRename": ("mailbox rename", { p in (p.flag("subscriptions") ? ["s": ""] : [:], [p.string("mailbox") ?? "", p.string("newName") ?? ""]) }),
        "mailboxSubscribe": ("mailbox subscribe", { p in ([:], p.strings("mailbox")) }),
        "mailboxUnsubscribe": ("mailbox unsubscribe", { p in ([:], p.strings("mailbox")) }),
        "search": ("search", { p in ([:], p.strings("query")) }),
        "fetch": ("fetch", { p in ([:], [p.strings("field").joined(separator: " ")] + p.strings("query")) }),
        "expunge": ("expunge", { p in ([:], p.strings("query")) }),
        "flagsAdd": ("flags add", { p in ([:], [p.strings("flag").joined(separator: " ")] + p.strings("query")) }),
        "flagsRemove": ("flags remove", { p in ([:], [p.strings("flag").joined(separator: " ")] + p.strings("query")) }),
        "flagsReplace": ("flags replace", { p in ([:], [p.strings("flag").joined(separator: " ")] + p.strings("query")) }),
        "copy": ("copy", { p in ([:], [p.string("destinationMailbox") ?? ""] + p.strings("query")) }),
        "move": ("move", { p in ([:], [p.string("destinationMailbox") ?? ""] + p.strings("query")) }),
        "quotaGet": ("quota get", { _ in ([:], []) }),
        "quotaRecalc": ("quota recalc", { _ in ([:], []) }),
        "forceResync": ("force-resync", { p in ([:], p.strings("mailboxMask")) }),
        "who": ("who", { p in (p.flag("separateConnections") ? ["1": ""] : [:], p.strings("mask")) }),
        "kick": ("kick", { p in ([:], p.strings("mask")) })
    ]

    static func run(_ name: String, _ values: [String: Any], storage: MailStorage, authenticator: Authenticator) async -> DoveadmResponse {
        var response = DoveadmResponse()
        guard let command = commands[name] else {
            response.fail(unknownMethod, "unknown command \(name)")
            return response
        }
        let (options, arguments) = command.build(Parameters(values: values))
        if command.verb == "who" || command.verb == "kick" {
            response = await DoveadmService.execute(
                DoveadmRequest(command: command.verb, user: "", options: options, arguments: arguments),
                storage: storage)
            // Nobody kicked is EX_NOTFOUND in the API too.
            if command.verb == "kick" && response.rows.isEmpty && response.exitCode == 0 { response.exitCode = DoveadmExit.notFound }
            return response
        }
        let users: [String]
        do {
            if Parameters(values: values).flag("allUsers") {
                users = try await authenticator.iterateUsers()
            } else if let user = Parameters(values: values).string("user") {
                users = [user]
            } else {
                response.fail(64, "\(name): user or allUsers is needed")
                return response
            }
        } catch {
            response.fail(DoveadmExit.temporaryFailure, "user iteration failed: \(error)")
            return response
        }
        for user in users {
            let record: UserRecord?
            do {
                record = try await authenticator.lookupUser(user, service: "doveadm")
            } catch {
                response.fail(DoveadmExit.temporaryFailure, "\(user): User lookup failed: \(error)")
                continue
            }
            guard let record else {
                response.fail(DoveadmExit.noUser, "\(user): User doesn't exist")
                continue
            }
            let one = await DoveadmService.execute(
                DoveadmRequest(
                    command: command.verb, user: record.user, options: options,
                    arguments: arguments, userdbFields: record.fields), storage: storage)
            one.errors.forEach { response.fail(one.exitCode, "\(user): \($0)") }
            if response.fields.isEmpty { (response.fields, response.titles) = (one.fields, one.titles) }
            response.rows += one.rows
        }
        return response
    }
}
