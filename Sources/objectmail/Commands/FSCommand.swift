import ArgumentParser
import FSCache
import Foundation
import Logging
import ObjectStore

/// `objectmail fs …`: doveadm fs for our storage pipelines. Every verb builds its store from the
/// pipeline string with the registry the server uses (`PipelineRegistry.standard`).
struct FSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fs",
        abstract: "Read and write objects through a storage pipeline, like doveadm fs.",
        discussion: "PIPELINE is a lib-fs string such as compress:gz:6:posix:/var/objects or fscache:1G:/var/cache:s3:https://…",
        subcommands: [Put.self, Get.self, Stat.self, Delete.self, Iter.self, Copy.self]
    )

    /// Exit codes as doveadm uses them, so scripts written for Dovecot keep working.
    enum ExitStatus {
        static let notFound: Int32 = 68 // EX_NOUSER, doveadm's "not found"
        static let temporary: Int32 = 75 // EX_TEMPFAIL
        static let failure: Int32 = 1
    }

    /// Builds the store, runs `body`, and reports failures on stderr with doveadm's exit codes.
    static func run(_ pipeline: String, _ body: (any ObjectStore) async throws -> Void) async throws {
        var logger = Logger(label: "objectmail.fs") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .warning
        do {
            let store = try PipelineRegistry.standard.makeStore(pipeline, context: PipelineContext(logger: logger))
            try await body(store)
            // fscache writes an entry after answering; let it finish before the process exits.
            if let cache = store as? FSCacheStore { await cache.waitForPendingWrites() }
        } catch let error as ObjectStoreError {
            printError("\(error)")
            if case .notFound = error { throw ExitCode(ExitStatus.notFound) }
            throw ExitCode(error.isTemporary ? ExitStatus.temporary : ExitStatus.failure)
        } catch let error as PipelineError {
            printError("\(error)")
            throw ExitCode(64) // EX_USAGE
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data(("objectmail fs: " + text + "\n").utf8))
    }

    /// `name=value` pairs given with --metadata.
    static func metadata(_ pairs: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--metadata takes NAME=VALUE, got \"\(pair)\"")
            }
            result[pair[..<equals].lowercased()] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store a file as an object.")
        @Option(name: .customLong("metadata"), help: "User metadata NAME=VALUE (repeatable).") var metadata: [String] = []
        @Option(help: "The object's content type.") var contentType = "application/octet-stream"
        @Flag(help: "Fail if the key exists (S3 If-None-Match: *).") var createOnly = false
        @Argument var pipeline: String
        @Argument(help: "The file to store.") var inputPath: String
        @Argument var key: String

        func run() async throws {
            let options = PutOptions(metadata: try FSCommand.metadata(metadata), contentType: contentType, createOnly: createOnly)
            try await FSCommand.run(pipeline) { store in
                try await store.put(key, body: .file(path: inputPath), options: options)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an object (or a byte range of it) to stdout or a file.")
        @Option(help: "First byte to read.") var offset: Int64?
        @Option(help: "Number of bytes to read.") var length: Int64?
        @Option(name: .shortAndLong, help: "Stream into this file instead of stdout.") var output: String?
        @Argument var pipeline: String
        @Argument var key: String

        func run() async throws {
            let range = (offset != nil || length != nil) ? ByteRange(offset: offset ?? 0, length: length) : nil
            try await FSCommand.run(pipeline) { store in
                if let output {
                    _ = try await store.download(key, to: output, range: range)
                } else {
                    FileHandle.standardOutput.write(Data(try await store.get(key, range: range).body))
                }
            }
        }
    }

    struct Stat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an object's size, date and metadata.")
        @Argument var pipeline: String
        @Argument var key: String

        func run() async throws {
            try await FSCommand.run(pipeline) { store in
                let info = try await store.stat(key)
                var lines = ["\(info.key) size=\(info.size)"]
                if let date = info.lastModified { lines[0] += " last-modified=\(ISO8601DateFormatter().string(from: date))" }
                if let etag = info.etag { lines[0] += " etag=\(etag)" }
                lines += info.metadata.keys.sorted().map { "  \($0)=\(info.metadata[$0]!)" }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete objects (several keys go in bulk requests).")
        @Flag(name: [.customShort("R"), .long], help: "Delete every object under each KEY taken as a prefix (doveadm fs delete -R).")
        var recursive = false
        @Argument var pipeline: String
        @Argument(parsing: .remaining) var keys: [String]

        func validate() throws {
            if keys.isEmpty { throw ValidationError("give at least one KEY") }
        }

        func run() async throws {
            try await FSCommand.run(pipeline) { store in
                var keys = self.keys
                if recursive {
                    var found: [String] = []
                    for prefix in keys { found += try await store.listAll(prefix: prefix).map(\.key) }
                    keys = found
                    if keys.isEmpty { return }
                } else if keys.count == 1 {
                    try await store.delete(keys[0])
                    return
                }
                let failures = try await store.deleteMany(keys)
                for failure in failures { FSCommand.printError("\(failure.key): \(failure.code): \(failure.message)") }
                if !failures.isEmpty { throw ExitCode(ExitStatus.failure) }
            }
        }
    }

    struct Iter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys under a prefix, one a line.")
        @Option(help: "Roll keys up at this delimiter (common prefixes are printed with it).") var delimiter: String?
        @Flag(help: "Print each object's size after its key.") var sizes = false
        @Argument var pipeline: String
        @Argument var prefix: String = ""

        func run() async throws {
            try await FSCommand.run(pipeline) { store in
                var token: String?
                repeat {
                    let page = try await store.list(prefix: prefix, delimiter: delimiter, continuation: token, maxKeys: 1000)
                    for object in page.objects { print(sizes ? "\(object.key) \(object.size)" : object.key) }
                    for common in page.commonPrefixes { print(common) }
                    token = page.nextContinuation
                } while token != nil
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy an object inside the store.")
        @Option(name: .customLong("metadata"), help: "Replace the metadata with NAME=VALUE pairs (repeatable); default: keep it.")
        var metadata: [String] = []
        @Argument var pipeline: String
        @Argument var source: String
        @Argument var destination: String

        func run() async throws {
            let directive: MetadataDirective = metadata.isEmpty ? .copy : .replace(try FSCommand.metadata(metadata))
            try await FSCommand.run(pipeline) { store in
                try await store.copy(from: source, to: destination, metadata: directive)
            }
        }
    }
}
