import ArgumentParser
import Auth
import Config
import Foundation
import Logging
import ObjectMail

/// doveadm's common options of the mail commands: `-u USER`, `-A` (every user the userdb iterates),
/// `-F FILE` (one user a line), `-f FORMATTER`; `-c FILE` for the configuration.
struct DoveadmOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .customShort("u"), help: "The user.") var user: String?
    @Flag(name: .customShort("A"), help: "Every user the userdbs can iterate.") var allUsers = false
    @Option(name: .customShort("F"), help: "A file of users, one a line (the first tab-separated field).") var userFile: String?
    @Option(name: .customShort("f"), help: "Output formatter: flow, tab, table, json or pager.") var formatter: String?

    func validate() throws {
        if [user != nil, allUsers, userFile != nil].filter({ $0 }).count != 1 { throw ValidationError("give one of -u USER, -A or -F FILE") }
        if let formatter, DoveadmPrinter.Formatter(rawValue: formatter) == nil {
            throw ValidationError("Unknown formatter: \(formatter) (flow, tab, table, json, pager)")
        }
    }
}

/// Runs one verb for the chosen users: through the running server's admin socket, or with no server
/// running, on the metacache and the bucket in this process. Prints the rows with the formatter and exits
/// with doveadm's code.
enum DoveadmClient {
    static func run(
        _ command: String, _ options: DoveadmOptions, flags: [String: String] = [:], arguments: [String],
        formatter defaultFormatter: DoveadmPrinter.Formatter = .flow
    ) async throws {
        let settings = try options.config.load()
        let authenticator: Authenticator
        do {
            authenticator = try Authenticator(settings: settings)
        } catch {
            FileHandle.standardError.write(Data("objectmail: Fatal: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let users: [String]
        do {
            users = try await names(options, authenticator)
        } catch {
            FileHandle.standardError.write(Data("objectmail: Error: \(error)\n".utf8))
            throw ExitCode(DoveadmExit.temporaryFailure)
        }
        var merged = DoveadmResponse()
        var exitCode: Int32 = 0
        var offline: OfflineStorage?
        let many = options.user == nil
        for name in users {
            var response: DoveadmResponse
            let record: UserRecord?
            do {
                record = try await authenticator.lookupUser(name, service: "doveadm")
            } catch {
                report(name, "User lookup failed: \(error)")
                exitCode = exitCode == 0 ? DoveadmExit.temporaryFailure : exitCode
                continue
            }
            guard let record else {
                report(name, "User doesn't exist")
                exitCode = exitCode == 0 ? DoveadmExit.noUser : exitCode
                continue
            }
            let request = DoveadmRequest(command: command, user: record.user, options: flags, arguments: arguments, userdbFields: record.fields)
            do {
                response = try await Self.send(request, settings: settings, offline: &offline)
            } catch let failure as Refusal {
                report(name, failure.message)
                exitCode = exitCode == 0 ? DoveadmExit.temporaryFailure : exitCode
                continue
            }
            response.errors.forEach { report(name, $0) }
            if exitCode == 0 { exitCode = response.exitCode }
            if many {
                response.fields.insert("username", at: 0)
                response.hiddenTitles.append("username")
                response.rows = response.rows.map { [name] + $0 }
            }
            if merged.fields.isEmpty { (merged.fields, merged.hiddenTitles, merged.titles) = (response.fields, response.hiddenTitles, response.titles) }
            merged.rows += response.rows
        }
        await offline?.storage.shutdown()
        let formatter = options.formatter.flatMap(DoveadmPrinter.Formatter.init(rawValue:)) ?? defaultFormatter
        print(DoveadmPrinter.render(merged, formatter), terminator: "")
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    static func report(_ user: String, _ message: String) {
        FileHandle.standardError.write(Data("objectmail(\(user)): Error: \(message)\n".utf8))
    }

    struct Refusal: Error {
        let message: String
    }

    /// The storage this process opened because no server answers on the admin socket.
    struct OfflineStorage {
        let storage: MailStorage
        let homeTemplate: String
    }

    static func names(_ options: DoveadmOptions, _ authenticator: Authenticator) async throws -> [String] {
        if let user = options.user { return [user] }
        if options.allUsers { return try await authenticator.iterateUsers() }
        let text = try String(contentsOfFile: options.userFile ?? "", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            line.split(separator: "\t").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Sends a request only the running server can answer (its sessions); exit 75 when none runs.
    static func ask(_ request: DoveadmRequest, config: ConfigOptions) throws -> DoveadmResponse {
        let path = AdminSettings.socketPath(try config.load())
        do {
            return try exchange(request, path: path)
        } catch let failure as UnixSocket.Failure {
            FileHandle.standardError.write(Data("objectmail: Error: the server is not running (\(failure))\n".utf8))
            throw ExitCode(DoveadmExit.temporaryFailure)
        } catch let failure as Refusal {
            FileHandle.standardError.write(Data("objectmail: Error: \(failure.message)\n".utf8))
            throw ExitCode(DoveadmExit.temporaryFailure)
        }
    }

    /// One request over the admin socket at `path`.
    static func exchange(_ request: DoveadmRequest, path: String) throws -> DoveadmResponse {
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let descriptor = try UnixSocket.connect(to: path)
        defer { close(descriptor) }
        UnixSocket.writeAll(descriptor, "doveadm\t\(json)\n")
        let answer = UnixSocket.readAll(descriptor)
        guard let line = answer.split(separator: "\n").first,
            let response = try? JSONDecoder().decode(DoveadmResponse.self, from: Data(line.utf8))
        else {
            throw Refusal(message: "no answer from \(path): \(answer.split(separator: "\n").last ?? "")")
        }
        return response
    }

    /// Sends the request to the running server; with none, executes it here, unless a living process has the user
    /// open (its index must not change behind that process's back).
    static func send(_ request: DoveadmRequest, settings: Settings, offline: inout OfflineStorage?) async throws -> DoveadmResponse {
        let path = AdminSettings.socketPath(settings)
        do {
            return try exchange(request, path: path)
        } catch let failure as UnixSocket.Failure where failure.code == ENOENT || failure.code == ECONNREFUSED {
            if offline == nil {
                try LoggingBootstrap.start(with: settings)
                let logger = Logger(label: "objectmail.doveadm")
                let storage = try StorageFactory.make(
                    settings: settings, pipelines: StoragePipelines(logger: Logger(label: "objectmail.objectstore")),
                    logger: logger)
                offline = OfflineStorage(storage: storage, homeTemplate: storage.configuration.homeTemplate)
            }
            let entries = MetacacheDirectory.scan(homeTemplate: offline!.homeTemplate)
            if let busy = entries.first(where: { $0.user == request.user && $0.openBy != nil }) {
                throw Refusal(
                    message: "process \(busy.openBy!) has \(busy.user) open but its admin socket \(path) is not reachable; "
                        + "run the command with the server's configuration (-c)")
            }
            return await DoveadmService.execute(request, storage: offline!.storage)
        }
    }
}
