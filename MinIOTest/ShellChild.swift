import Foundation

/// A `/bin/sh -c` child whose standard output is a pipe to this process and which inherits no other
/// descriptor of it. popen would hand the shell every descriptor open at that moment, and the long-lived
/// servers it starts (SeaweedFS, its watcher) would keep them: among them the socket Foundation's
/// `Process` uses to notice a child's exit, when another test launched one at the same moment. That
/// child's exit then went unnoticed and its test waited forever (swift-corelibs-foundation #4795).
struct ShellChild {
    let pid: pid_t
    /// Our end of the child's standard output.
    let output: Int32

    /// glibc ≥ 2.34 has it; Swift's Glibc module does not export it, so it is looked up by name.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlopen(nil, RTLD_NOW)
        .flatMap { dlsym($0, "posix_spawn_file_actions_addclosefrom_np") }
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    static func start(_ commandLine: String) throws -> ShellChild {
        guard let addCloseFrom else { throw TestSetupError("posix_spawn_file_actions_addclosefrom_np is missing (glibc < 2.34)") }
        var fds: [Int32] = [0, 0]
        // Close-on-exec, so that children other code spawns never hold our pipe (Swift's Glibc has no pipe2).
        guard pipe(&fds) == 0 else { throw TestSetupError("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO)
        _ = addCloseFrom(&actions, 3)
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", commandLine]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let status = posix_spawn(&pid, "/bin/sh", &actions, nil, &argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw TestSetupError("cannot run \(commandLine): \(String(cString: strerror(status)))")
        }
        return ShellChild(pid: pid, output: fds[0])
    }

    /// Everything the child prints, until it (and whatever inherited its output) closes it.
    func readToEnd() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(output, &buffer, buffer.count)
            if count > 0 { result += buffer[0..<count]; continue }
            if count < 0 && errno == EINTR { continue }
            return result
        }
    }

    /// One line of output, without its newline; nil at end of output.
    func readLine() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(output, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// Closes our end of the output and reaps the child: its exit status (-1 if it was killed by a signal).
    @discardableResult
    func finish() -> Int32 {
        close(output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
