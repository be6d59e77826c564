import CSystemIO
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call, with errno, turned into `ObjectStoreError` at the layer that knows the key.
package struct SystemCallError: Error, Sendable, CustomStringConvertible {
    package var call: String
    package var path: String
    package var errno: Int32

    package init(_ call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    package var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }
    /// A non-blocking read found the data not in the page cache.
    package var wouldBlock: Bool { errno == EAGAIN || errno == EOPNOTSUPP }
    package var isAlreadyExists: Bool { errno == EEXIST }

    package var description: String {
        "\(call)(\(path)): \(String(cString: strerror(errno)))"
    }
}

/// An open file descriptor with the few calls the drivers need; every failure throws `SystemCallError`.
/// Not thread-safe: it lives inside one `BlockingPool` job.
package struct FileDescriptor: ~Copyable {
    package let raw: Int32
    package let path: String
    /// Reads fail with EAGAIN (`wouldBlock`) instead of waiting for the disk.
    package let cachedReadsOnly: Bool

    /// - Parameter cachedReadsOnly: only read what is in the page cache (for reads on a
    ///   cooperative thread, which must never wait for a disk).
    package static func open(_ path: String, flags: Int32, mode: mode_t = 0o644, cachedReadsOnly: Bool = false) throws -> FileDescriptor {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemCallError("open", path: path, errno: errno) }
        return FileDescriptor(raw: fd, path: path, cachedReadsOnly: cachedReadsOnly)
    }

    private init(raw: Int32, path: String, cachedReadsOnly: Bool) {
        self.raw = raw
        self.path = path
        self.cachedReadsOnly = cachedReadsOnly
    }

    deinit { _ = Glibc.close(raw) }

    package func size() throws -> Int64 {
        try status().size
    }

    package func status() throws -> (size: Int64, modified: Date) {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw SystemCallError("fstat", path: path, errno: errno) }
        let seconds = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return (Int64(info.st_size), Date(timeIntervalSince1970: seconds))
    }

    /// The inode's change time: set by every write and by the rename that installs a file, so a file changed
    /// before a moment had all its data in the page cache by then.
    package func changeTime() throws -> Date {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw SystemCallError("fstat", path: path, errno: errno) }
        return Date(timeIntervalSince1970: Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9)
    }

    /// Reads exactly `count` bytes at `offset` (fewer only at end of file).
    package func read(count: Int, at offset: Int64) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = try buffer.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        if got < count { buffer.removeLast(count - got) }
        return buffer
    }

    /// Fills `buffer` from `offset`; returns how many bytes were read (short only at end of file).
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n =
                cachedReadsOnly
                ? csystemio_pread_nowait(raw, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
                : pread(raw, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(raw, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write", path: path, errno: errno)
            }
            done += n
        }
    }

    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Copies `length` bytes starting at `offset` of `source` to the current position of this file,
    /// in bounded chunks so that a large object never sits in memory whole.
    package func copy(from source: borrowing FileDescriptor, offset: Int64, length: Int64) throws {
        let chunkSize = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        var remaining = length
        while remaining > 0 {
            let want = Int(min(Int64(chunkSize), remaining))
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position)
            if got == 0 { throw SystemCallError("pread (file shrank)", path: source.path, errno: EIO) }
            try write(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            position += Int64(got)
            remaining -= Int64(got)
        }
    }

    package func sync() throws {
        guard fsync(raw) == 0 else { throw SystemCallError("fsync", path: path, errno: errno) }
    }

    /// Writes every dirty page and inode of the filesystem holding this file (`syncfs`).
    package func syncFilesystem() throws {
        guard syncfs(raw) == 0 else { throw SystemCallError("syncfs", path: path, errno: errno) }
    }
}

/// Path-level calls shared by the posix driver and the cache.
package enum FileSystem {
    /// `mkdir -p`; an existing directory is fine.
    package static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw SystemCallError("mkdir", path: path, errno: errno) }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path else { throw SystemCallError("mkdir", path: path, errno: ENOENT) }
        try makeDirectories(parent)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw SystemCallError("mkdir", path: path, errno: errno)
        }
    }

    package static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw SystemCallError("rename", path: to, errno: errno) }
    }

    /// Creates `to` as a second name of `from`; fails with EEXIST if `to` exists — atomically,
    /// which is what create-only puts need (rename would silently replace).
    package static func link(_ from: String, to: String) throws {
        guard Glibc.link(from, to) == 0 else { throw SystemCallError("link", path: to, errno: errno) }
    }

    /// Removes a file; a missing file is not an error.
    package static func removeFile(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemCallError("unlink", path: path, errno: errno) }
    }

    /// Makes a directory's entries (a rename just done) durable.
    package static func syncDirectory(_ path: String) throws {
        let fd = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY)
        try fd.sync()
    }

    /// Names in a directory, without `.` and `..`; a missing directory has none.
    package static func entries(of path: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw SystemCallError("opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var result: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            result.append((name, isDirectory))
        }
        return result
    }

    /// A temporary name unique across threads and processes.
    package static func temporaryName(prefix: String = "tmp") -> String {
        "\(prefix).\(getpid()).\(UUID().uuidString)"
    }
}
