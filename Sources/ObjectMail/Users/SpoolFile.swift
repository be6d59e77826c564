import Foundation
import ObjectStore
import Primitives
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A message body being received or saved, kept in `mail_temp_dir` instead of memory (Dovecot spools the
/// same way, to `mail_temp_dir`): an APPEND literal, an LMTP DATA/BDAT body.
///
/// The file is created with `O_EXCL` and mode 0600 and unlinked at once, so it disappears with its
/// descriptor whatever happens next: a failed save, a dropped connection, a crash. Readers that want a
/// path (the S3 upload, the posix driver's copy) get `/proc/self/fd/N`, which opens the same unlinked file
/// for as long as this object lives.
///
/// Appends come from one owner at a time (the session or connection that receives the body), in order;
/// reads happen after the last append. Every call blocks on the file system: run them on `BlockingPool.fileIO`
/// (the `async` forms do).
///
/// Part of the mail store's API: the protocols receive bodies into it and hand it to `MailUser.saveMessages`,
/// which parses and uploads from it. Its errors are `ObjectStoreError.io`, as every local I/O failure of storage.
public final class SpoolFile: Sendable {
    /// The open, already unlinked file.
    public let descriptor: Int32
    /// Where it was created, for errors and logs.
    public let directory: String
    private let written = Atomic<Int64>(0)

    /// Creates an empty spool file in `directory`. Errors are `ObjectStoreError.io` (temporary: a full or
    /// missing temporary directory is an operator's problem, not the client's).
    public static func create(in directory: String) throws -> SpoolFile {
        let path = (directory.isEmpty ? "." : directory) + "/" + FileSystem.temporaryName(prefix: "objectmail-spool")
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", directory: directory, errno: errno) }
        guard unlink(path) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw failure("unlink", directory: directory, errno: code)
        }
        return SpoolFile(descriptor: fd, directory: directory)
    }

    /// `create(in:)` on the blocking I/O pool.
    public static func create(in directory: String) async throws -> SpoolFile {
        try await BlockingPool.fileIO.run { try create(in: directory) }
    }

    private init(descriptor: Int32, directory: String) {
        self.descriptor = descriptor
        self.directory = directory
    }

    deinit { _ = Glibc.close(descriptor) }

    /// Bytes written so far.
    public var size: Int64 { written.load(ordering: .acquiring) }

    /// A path that opens this file (Linux's /proc/self/fd), valid while this object is alive.
    public var path: String { "/proc/self/fd/\(descriptor)" }

    /// Appends `bytes` at the end. Blocking.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = size
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure("pwrite", directory: directory, errno: errno)
            }
            done += count
            offset += Int64(count)
        }
        written.store(offset, ordering: .releasing)
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// `append` on the blocking I/O pool: the caller's thread (an event loop) never waits for the disk.
    public func appendAsync(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await BlockingPool.fileIO.run { try self.append(bytes) }
    }

    /// Up to `count` bytes from `offset`. Blocking.
    public func read(count: Int, at offset: Int64) throws -> [UInt8] {
        let wanted = max(0, min(Int64(count), size - offset))
        var bytes = [UInt8](repeating: 0, count: Int(wanted))
        var done = 0
        while done < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw Self.failure("pread", directory: directory, errno: errno)
            }
            if got == 0 { break }
            done += got
        }
        return done == bytes.count ? bytes : Array(bytes[0..<done])
    }

    /// `read(count:at:)` on the blocking I/O pool.
    public func readAsync(count: Int, at offset: Int64) async throws -> [UInt8] {
        try await BlockingPool.fileIO.run { try self.read(count: count, at: offset) }
    }

    /// The whole file in memory. Only for the paths that need contiguous bytes (BINARY conversion, CATENATE):
    /// everything else streams or maps the file.
    public func readAll() throws -> [UInt8] {
        try read(count: Int(size), at: 0)
    }

    /// `readAll()` on the blocking I/O pool.
    public func readAllAsync() async throws -> [UInt8] {
        try await BlockingPool.fileIO.run { try self.readAll() }
    }

    /// Runs `body` with the file mapped read-only. The pages are the page cache's, not the heap's: they
    /// count in RSS only while mapped and go when `body` returns. Blocking (page faults read the disk).
    public func withMappedBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let length = Int(size)
        guard length > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw Self.failure("mmap", directory: directory, errno: errno)
        }
        defer { munmap(address, length) }
        _ = madvise(address, length, MADV_SEQUENTIAL)
        return try body(UnsafeRawBufferPointer(start: address, count: length))
    }

    /// A new spool file in the same directory holding `prefix` and then this file's bytes, copied in
    /// bounded chunks (an LMTP recipient's own header lines in front of the shared body). Blocking.
    public func copy(prefixedWith prefix: [UInt8]) throws -> SpoolFile {
        let copy = try SpoolFile.create(in: directory)
        try copy.append(prefix)
        let chunkSize = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        let total = size
        while position < total {
            let want = Int(min(Int64(chunkSize), total - position))
            let got = pread(descriptor, buffer.baseAddress!, want, off_t(position))
            if got < 0 {
                if errno == EINTR { continue }
                throw Self.failure("pread", directory: directory, errno: errno)
            }
            if got == 0 { throw Self.failure("pread (spool file shrank)", directory: directory, errno: EIO) }
            try copy.append(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            position += Int64(got)
        }
        return copy
    }

    /// `copy(prefixedWith:)` on the blocking I/O pool.
    public func copyAsync(prefixedWith prefix: [UInt8]) async throws -> SpoolFile {
        try await BlockingPool.fileIO.run { try self.copy(prefixedWith: prefix) }
    }

    private static func failure(_ call: String, directory: String, errno code: Int32) -> ObjectStoreError {
        .io(key: "spool:\(directory)", detail: "\(call): \(String(cString: strerror(code)))")
    }
}
