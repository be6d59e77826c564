import Config
import Foundation

/// `mail_uid` / `mail_gid`: the user and group mail is accessed as. Dovecot's master binds its ports as root and
/// runs the mail processes as that user; one process serves everything here, so it binds as root and then gives
/// root up for good (`setgroups`, `setgid`, `setuid`), before any connection is served or any user's file is
/// touched. `first_valid_uid`/`last_valid_uid` bound the uid, as Dovecot refuses mail access outside them.
struct PrivilegeDrop: Equatable {
    let uid: uid_t
    let gid: gid_t
    /// How the operator named them, for the log.
    let described: String

    /// Mail access as root is refused unless `mail_allow_root = yes`: Dovecot never accesses mail as uid 0,
    /// and a server that parses every client's input should not hold root while it does. Checked after the
    /// rest of the configuration, so a configuration error is reported first.
    static func refuseRoot(_ drop: PrivilegeDrop?, settings: Settings, startedAs euid: uid_t = geteuid()) throws {
        guard (drop?.uid ?? euid) == 0, !settings.bool("mail_allow_root") else { return }
        throw ConfigError(
            "mail access as root is not permitted: set mail_uid to the user mail is stored as (the ports are "
                + "bound as root first, then root is given up), or mail_allow_root = yes to run as root knowingly",
            at: settings.location(of: drop == nil ? "mail_allow_root" : "mail_uid"))
    }

    /// nil without `mail_uid` (the server keeps the user that started it).
    static func configured(in settings: Settings) throws -> PrivilegeDrop? {
        let userName = settings.string("mail_uid")
        guard !userName.isEmpty else {
            if settings.isSet("mail_gid") {
                throw ConfigError("mail_gid is set without mail_uid: the server would keep its user", at: settings.location(of: "mail_gid"))
            }
            return nil
        }
        guard let (uid, primaryGroup) = lookUpUser(userName) else {
            throw ConfigError("mail_uid: unknown user \(userName)", at: settings.location(of: "mail_uid"))
        }
        var gid = primaryGroup
        let groupName = settings.string("mail_gid")
        if !groupName.isEmpty {
            guard let found = lookUpGroup(groupName) else {
                throw ConfigError("mail_gid: unknown group \(groupName)", at: settings.location(of: "mail_gid"))
            }
            gid = found
        }
        let first = settings.number("first_valid_uid")
        let last = settings.number("last_valid_uid")
        if Int(uid) < first || (last != 0 && Int(uid) > last) {
            throw ConfigError(
                "mail_uid = \(userName) (uid \(uid)) is outside first_valid_uid = \(first) … last_valid_uid = \(last): "
                    + "Dovecot would refuse mail access as it", at: settings.location(of: "mail_uid"))
        }
        return PrivilegeDrop(uid: uid, gid: gid, described: "\(userName) (uid \(uid), gid \(gid))")
    }

    /// True when the process already runs as the target (started by that user, or by systemd's `User=`).
    var alreadyApplied: Bool { getuid() == uid && geteuid() == uid && getgid() == gid }

    /// Hands `paths` (created while root: base_dir, the log files) to the mail user, so it can remove its
    /// pid file and reopen its logs later. Paths that do not exist are skipped.
    func handOver(_ paths: [String]) {
        for path in paths {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            // Never a device (log_path = /dev/stderr) or a link's target.
            guard type == S_IFREG || type == S_IFDIR || type == S_IFSOCK else { continue }
            _ = chown(path, uid, gid)
        }
    }

    /// Gives root up for the whole process (glibc applies set*id to every thread). Throws if it cannot, or if
    /// root could be taken back.
    func apply() throws {
        if alreadyApplied { return }
        guard geteuid() == 0 else {
            throw PrivilegeDropError("mail_uid = \(described): only root can change to it, and the server runs as uid \(geteuid())")
        }
        var groups = [gid]
        guard setgroups(1, &groups) == 0 else { throw PrivilegeDropError("setgroups(\(gid)): \(String(cString: strerror(errno)))") }
        guard setgid(gid) == 0 else { throw PrivilegeDropError("setgid(\(gid)): \(String(cString: strerror(errno)))") }
        guard setuid(uid) == 0 else { throw PrivilegeDropError("setuid(\(uid)): \(String(cString: strerror(errno)))") }
        if uid != 0 && setuid(0) == 0 {
            throw PrivilegeDropError("setuid(0) still succeeds after dropping to \(described)")
        }
    }

    private static func lookUpUser(_ name: String) -> (uid_t, gid_t)? {
        if let entry = getpwnam(name) { return (entry.pointee.pw_uid, entry.pointee.pw_gid) }
        guard let uid = uid_t(name) else { return nil }
        return (uid, getpwuid(uid).map { $0.pointee.pw_gid } ?? gid_t(uid))
    }

    private static func lookUpGroup(_ name: String) -> gid_t? {
        if let entry = getgrnam(name) { return entry.pointee.gr_gid }
        return gid_t(name)
    }
}

struct PrivilegeDropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
