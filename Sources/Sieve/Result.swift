import Foundation

/// A vacation response the script asked for and the interpreter found due; sending it is the caller's job.
public struct SieveVacation: Sendable, Hashable {
    /// Seconds before the same sender gets another response with this handle.
    public var period: Int
    public var subject: String?
    public var from: String?
    public var addresses: [String]
    /// The reason is a MIME entity (headers and body) rather than plain text.
    public var mime: Bool
    public var handle: String
    public var reason: String
    /// Whom to answer (the envelope sender).
    public var recipient: String

    public init(
        period: Int, subject: String?, from: String?, addresses: [String], mime: Bool, handle: String, reason: String, recipient: String
    ) {
        self.period = period
        self.subject = subject
        self.from = from
        self.addresses = addresses
        self.mime = mime
        self.handle = handle
        self.reason = reason
        self.recipient = recipient
    }
}

/// One action of the result, in the order the script performed it.
public enum SieveAction: Sendable, Hashable {
    /// Store in a mailbox: `keep` (INBOX), `fileinto`, or the implicit keep.
    case store(mailbox: String, flags: [String], copy: Bool, create: Bool)
    case redirect(address: String, copy: Bool)
    case discard
    case reject(reason: String, extended: Bool)
    case vacation(SieveVacation)
}

/// What running a script decided.
public struct SieveResult: Sendable {
    /// Explicit actions, duplicates merged as Pigeonhole merges them.
    public var actions: [SieveAction]
    /// The implicit keep, when nothing cancelled it (flags from the internal variable at the end).
    public var implicitKeep: SieveAction?
    /// A runtime error (the message for the log); the actions are then dropped and the implicit keep applies.
    public var runtimeError: String?
    /// The message as editheader left it, when it changed.
    public var editedMessage: [UInt8]?
    /// Duplicate-tracking ids to record once the delivery succeeds (`duplicate` tests that were evaluated).
    public var duplicateMarks: [SieveDuplicateMark]

    /// The result as Pigeonhole's `sieve-test` prints it, one trimmed line each (the vacation handle and
    /// message text left out), for differential tests and logs.
    public func sieveTestLines() -> [String] {
        var out = ["Performed actions:"]
        if actions.isEmpty && duplicateMarks.isEmpty { out.append("(none)") }
        out += duplicateMarks.map { _ in "* track duplicate" }
        for a in actions { out += Self.lines(a) }
        out.append("Implicit keep:")
        if let k = implicitKeep { out += Self.lines(k) } else { out.append("(none)") }
        return out
    }

    static func lines(_ a: SieveAction) -> [String] {
        switch a {
        case .store(let mailbox, let flags, let copy, let create):
            var l = ["* store message in folder: \(sanitized(mailbox))"]
            if copy { l.append("+ preserve implicit keep") }
            if create { l.append("+ create mailbox if it does not exist") }
            if !flags.isEmpty {
                let shown = flags.map { $0.hasPrefix("\\") ? $0.lowercased() : $0 }
                l.append("+ add IMAP flags: " + shown.joined(separator: " "))
            }
            return l
        case .redirect(let address, let copy):
            return ["* redirect message to: <\(address)>"] + (copy ? ["+ preserve implicit keep"] : [])
        case .discard:
            return ["* discard"]
        case .reject(let reason, _):
            return ["* reject message with reason: \(sanitized(reason))"]
        case .vacation(let v):
            var l = ["* send vacation message:", "=> seconds : \(v.period)"]
            if let s = v.subject { l.append("=> subject : \(sanitized(s))") }
            if let f = v.from { l.append("=> from : \(sanitized(f))") }
            return l
        }
    }
}

/// Control characters as sieve-test prints them (`?`).
private func sanitized(_ s: String) -> String {
    String(s.unicodeScalars.map { $0.value < 32 ? "?" : Character($0) })
}

/// A duplicate-tracking entry: the id (handle and value) and how long to remember it.
public struct SieveDuplicateMark: Sendable, Hashable {
    public var id: String
    public var seconds: Int

    public init(id: String, seconds: Int) {
        self.id = id
        self.seconds = seconds
    }
}

/// Where an include finds its script.
public enum SieveScriptLocation: String, Sendable, Hashable {
    case personal, global
}

/// What the interpreter asks of the world; every check is injected so the library needs no storage.
public struct SieveEnvironment: Sendable {
    /// Does this mailbox exist (mailboxexists)?
    public var mailboxExists: @Sendable (String) -> Bool
    /// Has `sender` already had a vacation response with `handle` within `period` seconds?
    public var alreadyResponded: @Sendable (_ sender: String, _ handle: String, _ period: Int) -> Bool
    /// Has this duplicate id been seen within `seconds`?
    public var duplicateSeen: @Sendable (_ id: String, _ seconds: Int) -> Bool
    /// The text of an included script, or nil when there is none.
    public var loadScript: @Sendable (_ name: String, _ location: SieveScriptLocation) -> String?
    /// "Now", for currentdate and the date test's default zone.
    public var now: Date
    /// The local zone's offset from UTC in minutes.
    public var localOffsetMinutes: Int
    /// The recipient's own addresses, besides the envelope recipient (vacation's "is it to me" check).
    public var userAddresses: [String]
    public var limits: SieveLimits
    /// The extensions included scripts may require (those of the script that includes them).
    public var extensions: Set<String>

    public init(
        mailboxExists: @escaping @Sendable (String) -> Bool = { _ in false },
        alreadyResponded: @escaping @Sendable (String, String, Int) -> Bool = { _, _, _ in false },
        duplicateSeen: @escaping @Sendable (String, Int) -> Bool = { _, _ in false },
        loadScript: @escaping @Sendable (String, SieveScriptLocation) -> String? = { _, _ in nil },
        now: Date = Date(), localOffsetMinutes: Int = TimeZone.current.secondsFromGMT() / 60, userAddresses: [String] = [],
        limits: SieveLimits = .default, extensions: Set<String> = sieveSupportedExtensions
    ) {
        self.mailboxExists = mailboxExists
        self.alreadyResponded = alreadyResponded
        self.duplicateSeen = duplicateSeen
        self.loadScript = loadScript
        self.now = now
        self.localOffsetMinutes = localOffsetMinutes
        self.userAddresses = userAddresses
        self.limits = limits
        self.extensions = extensions
    }
}
