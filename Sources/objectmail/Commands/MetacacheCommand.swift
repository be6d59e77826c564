import ArgumentParser
import Foundation
import Logging
import ObjectMail

/// `objectmail metacache list|status|flush|flushall|clean|rescan`, as doveadm metacache: talks to
/// the running server through its admin socket (`<base_dir>/objectmail-admin`); when no server
/// runs, acts on the metacache directory and the bucket itself.
struct MetacacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metacache",
        abstract: "Inspect and maintain the metacache (the users' local indexes).",
        discussion: "With the server running, the command goes to it through <base_dir>/objectmail-admin; with it stopped, "
            + "the command works on the metacache directory and the bucket directly (never run it offline while a server "
            + "uses the same metacache).",
        subcommands: [List.self, Status.self, Flush.self, FlushAll.self, Clean.self, Rescan.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The users in the metacache: size, idle time, open or not, dirty marker.")
        @OptionGroup var options: ConfigOptions
        func run() async throws { try await MetacacheCommand.send("list", user: nil, options: options) }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Totals: users, bytes, metacache_max_space and metacache_max_grace.")
        @OptionGroup var options: ConfigOptions
        func run() async throws { try await MetacacheCommand.send("status", user: nil, options: options) }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a user's (-u) or every user's (-A) index changes now.")
        @OptionGroup var options: ConfigOptions
        @Option(name: .customShort("u"), help: "The user.") var user: String?
        @Flag(name: .customShort("A"), help: "Every user.") var all = false
        func validate() throws {
            guard (user != nil) != all else { throw ValidationError("give either -u USER or -A") }
        }
        func run() async throws { try await MetacacheCommand.send(all ? "flushall" : "flush", user: user, options: options) }
    }

    struct FlushAll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "flushall", abstract: "Upload every user's index changes now.")
        @OptionGroup var options: ConfigOptions
        func run() async throws { try await MetacacheCommand.send("flushall", user: nil, options: options) }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a user's index, then remove it from the metacache (refused while in use).")
        @OptionGroup var options: ConfigOptions
        @Option(name: .customShort("u"), help: "The user.") var user: String
        func run() async throws { try await MetacacheCommand.send("clean", user: user, options: options) }
    }

    struct Rescan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revalidate a user's index against the bucket: merge newer bundles, adopt unindexed mail, drop rows whose objects are gone.")
        @OptionGroup var options: ConfigOptions
        @Option(name: .customShort("u"), help: "The user.") var user: String
        func run() async throws { try await MetacacheCommand.send("rescan", user: user, options: options) }
    }

    /// Sends the request to the server, or answers it here when no server listens on the socket.
    static func send(_ verb: String, user: String?, options: ConfigOptions) async throws {
        let settings = try options.load()
        let path = AdminSettings.socketPath(settings)
        let answer: String
        do {
            let descriptor = try UnixSocket.connect(to: path)
            defer { close(descriptor) }
            UnixSocket.writeAll(descriptor, "\(verb)\t\(user ?? "")\n")
            answer = UnixSocket.readAll(descriptor)
        } catch let failure as UnixSocket.Failure where failure.code == ENOENT || failure.code == ECONNREFUSED {
            try LoggingBootstrap.start(with: settings)
            let storage = try StorageFactory.make(
                settings: settings, pipelines: StoragePipelines(logger: Logger(label: "objectmail.objectstore")),
                logger: Logger(label: "objectmail.metacache"))
            answer = await AdminRequest.answer(
                "\(verb)\t\(user ?? "")", storage: storage, logger: Logger(label: "objectmail.metacache"),
                offline: true)
            // Users opened here were uploaded by the request; clear their dirty markers.
            await storage.shutdown()
        }
        var lines = answer.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let status = lines.popLast() ?? "-ERR no answer from \(path)"
        lines.forEach { print($0) }
        guard status == "+OK" else {
            FileHandle.standardError.write(Data("objectmail metacache \(verb): \(status.dropFirst(5))\n".utf8))
            throw ExitCode(1)
        }
    }
}
