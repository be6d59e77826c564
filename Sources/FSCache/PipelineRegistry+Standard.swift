import ObjectStore

extension PipelineRegistry {
    /// Every driver of the server: ObjectStore's built-in ones plus `fscache`, which lives here
    /// because ObjectStore must not depend on FSCache (the dependency points the other way).
    /// The server and the command line build pipelines with this registry.
    public static let standard: PipelineRegistry = builtIn.registering(
        "fscache", .wrapper(arguments: ["size", "directory"], FSCacheStore.factory))
}
