import Foundation

/// One doveadm-style verb for one user, as the command line sends it over the admin socket
/// (`doveadm\t<JSON>\n`): the running server executes it with its own `MailUser` actors, so they stay
/// the only writers of the user's index. With no server running, the command line executes it itself.
struct DoveadmRequest: Codable, Sendable {
    /// "mailbox list", "search", "flags add" …
    var command: String
    var user: String
    /// Options as given (`"s": ""`, `"r": ""`), and the positional arguments.
    var options: [String: String] = [:]
    var arguments: [String] = []
    /// The userdb's fields (quota rules), looked up by the command line.
    var userdbFields: [String: String] = [:]
}

/// The result: doveadm's printer rows (field names in order, values as strings), the errors doveadm would
/// log, and the exit code (0, 65 EX_DATAERR, 67 EX_NOUSER, 68 EX_NOTFOUND, 75 EX_TEMPFAIL).
struct DoveadmResponse: Codable, Sendable {
    var fields: [String] = []
    /// Fields printed without their title by the flow, pager and table formatters (doveadm's HIDE_TITLE).
    var hiddenTitles: [String] = []
    /// Titles that differ from the field's key (`connections` is titled `#`): the key names JSON members.
    var titles: [String: String] = [:]
    var rows: [[String]] = []
    var errors: [String] = []
    var exitCode: Int32 = 0

    mutating func fail(_ code: Int32, _ message: String) {
        errors.append(message)
        // doveadm keeps the first failure's code when several objects fail.
        if exitCode == 0 { exitCode = code }
    }
}

/// sysexits codes as doveadm 2.3 uses them for mail commands.
enum DoveadmExit {
    static let dataError: Int32 = 65 // EX_DATAERR: already exists, invalid name
    static let noUser: Int32 = 67 // EX_NOUSER
    static let notFound: Int32 = 68 // EX_NOHOST, doveadm's EX_NOTFOUND: no such mailbox
    static let software: Int32 = 70 // EX_SOFTWARE
    static let temporaryFailure: Int32 = 75 // EX_TEMPFAIL
    static let noPermission: Int32 = 77 // EX_NOPERM
}
