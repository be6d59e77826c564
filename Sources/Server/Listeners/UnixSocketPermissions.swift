import Foundation

/// `unix_listener { mode user group }`: Postfix's lmtp client must be able to connect.
enum UnixSocketPermissions {
    /// Returns a warning when the server, not running as root, could not give the socket away: it keeps the
    /// server's user and the `mode` decides who may connect (Dovecot's unprivileged master does the same).
    static func apply(path: String, mode: UInt32, user: String, group: String) throws -> String? {
        guard chmod(path, mode_t(mode)) == 0 else {
            throw ListenerError(listener: "unix:\(path)", message: "chmod \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
        guard !user.isEmpty || !group.isEmpty else { return nil }
        var uid = uid_t.max
        var gid = gid_t.max // -1: leave unchanged
        if !user.isEmpty {
            guard let entry = getpwnam(user) else { throw ListenerError(listener: "unix:\(path)", message: "unknown user \(user)") }
            uid = entry.pointee.pw_uid
        }
        if !group.isEmpty {
            guard let entry = getgrnam(group) else { throw ListenerError(listener: "unix:\(path)", message: "unknown group \(group)") }
            gid = entry.pointee.gr_gid
        }
        guard chown(path, uid, gid) == 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EPERM && geteuid() != 0 {
                return "unix:\(path): not running as root, the socket stays the server's (user \(user) group \(group) not applied: \(reason)); "
                    + "mode \(String(mode, radix: 8)) decides who may connect"
            }
            throw ListenerError(listener: "unix:\(path)", message: "chown \(user):\(group): \(reason)")
        }
        return nil
    }
}
