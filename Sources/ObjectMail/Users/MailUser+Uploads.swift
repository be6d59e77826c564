import MetaCache
import S3Client

extension MailUser {
    /// Starts the background upload of the index (`IndexUploadScheduler`); no client command waits for it.
    func scheduleUpload() {
        uploads?.schedule { [weak self] in try await self?.revalidate(reason: "another backend uploaded") }
    }

    /// Uploads every change now (user unload, clean shutdown).
    public func flush() async throws {
        uploads?.cancel()
        try await mapErrors { try await index.writeConfirmedDeletes() }
        guard let bundler = uploads?.bundler else { return }
        _ = try await mapLoadErrors {
            do {
                return try await bundler.flush()
            } catch BundleError.anotherWriter {
                try await revalidate(reason: "another backend uploaded")
                return try await bundler.flush()
            }
        }
    }
}
