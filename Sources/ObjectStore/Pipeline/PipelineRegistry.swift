/// The drivers a pipeline string may name. Adding a driver is one entry in `builtIn` (or one
/// `register` call from a module that ObjectStore must not depend on, such as FSCache).
public struct PipelineRegistry: Sendable {
    /// Builds a terminal driver from the rest of the pipeline string (a path, an S3 URL …).
    public typealias DriverFactory = @Sendable (_ argument: String, _ context: PipelineContext) throws -> any ObjectStore
    /// Checks a wrapper's own arguments and returns how to wrap the already built parent.
    /// Throw `PipelineArgumentError` for a bad argument.
    public typealias WrapperFactory =
        @Sendable (_ arguments: [String], _ context: PipelineContext) throws
        -> @Sendable (_ parent: any ObjectStore) -> any ObjectStore

    public enum Entry: Sendable {
        /// Takes the whole rest of the string; `argument` names it in errors ("root directory", "URL").
        case driver(argument: String, DriverFactory)
        /// Takes one colon-separated value per name in `arguments`, then a parent pipeline.
        case wrapper(arguments: [String], WrapperFactory)
    }

    public private(set) var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    public mutating func register(_ name: String, _ entry: Entry) {
        entries[name] = entry
    }

    public func registering(_ name: String, _ entry: Entry) -> PipelineRegistry {
        var copy = self
        copy.register(name, entry)
        return copy
    }

    /// The drivers of this module. (`fscache` lives in FSCache: use `PipelineRegistry.standard` there.)
    public static let builtIn = PipelineRegistry(entries: [
        "posix": .driver(argument: "root directory") { argument, context in
            PosixObjectStore(root: context.expandVariables(argument), logger: context.logger)
        },
        "s3": .driver(argument: "URL") { argument, context in
            try S3ObjectStore(urlString: argument, logger: context.logger)
        },
        "compress": .wrapper(arguments: ["method", "level"], CompressObjectStore.factory),
        "randomfail": .wrapper(arguments: ["failure rates"], RandomFailObjectStore.factory)
    ])
}
