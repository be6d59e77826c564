import S3Client

/// `mail_operation_deadline` for the protocols: every client command and delivery runs inside `withinDeadline`.
extension StorageConfiguration {
    /// Runs one client-visible operation under the configured deadline (see `OperationDeadline`): the store's
    /// requests and retries under it end by then, and the operation fails with a temporary `StorageError`.
    public func withinDeadline<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        try await OperationDeadline.run(budget: operationDeadline, isolation: isolation, operation)
    }
}
