/// Response codes inside `[...]` of status responses (RFC 3501/9051 §7.1, 4315, 5530, 7162, 9208 …).
public enum ResponseCode: Sendable, Equatable {
    case alert, parse, readOnly, readWrite, tryCreate, uidNotSticky, noModSeq, closed, expungeIssued
    case alreadyExists, nonExistent, unavailable, cannot, limit, overQuota, serverBug, clientBug
    case authenticationFailed, authorizationFailed, expired, privacyRequired, contactAdmin, noPermission, inUse
    case corruption, hasChildren, notSaved, useAttribute, unknownCTE, compressionActive, notificationOverflow, tooBig
    case capability([String])
    case permanentFlags([String])
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    case highestModSeq(UInt64)
    case appendLimit(UInt64?)
    case badCharset([String])
    /// APPENDUID (RFC 4315); UIDs in the order the messages were given.
    case appendUID(uidValidity: UInt32, uids: [ClosedRange<UInt32>])
    /// COPYUID (RFC 4315): source and destination UIDs correspond position by position.
    case copyUID(uidValidity: UInt32, source: [ClosedRange<UInt32>], destination: [ClosedRange<UInt32>])
    /// MODIFIED (RFC 7162): messages that failed UNCHANGEDSINCE.
    case modified([ClosedRange<UInt32>])
    /// Anything else: name and optional raw text.
    case other(String, String?)

    var atom: String {
        switch self {
        case .alert: "ALERT"
        case .parse: "PARSE"
        case .readOnly: "READ-ONLY"
        case .readWrite: "READ-WRITE"
        case .tryCreate: "TRYCREATE"
        case .uidNotSticky: "UIDNOTSTICKY"
        case .noModSeq: "NOMODSEQ"
        case .closed: "CLOSED"
        case .expungeIssued: "EXPUNGEISSUED"
        case .alreadyExists: "ALREADYEXISTS"
        case .nonExistent: "NONEXISTENT"
        case .unavailable: "UNAVAILABLE"
        case .cannot: "CANNOT"
        case .limit: "LIMIT"
        case .overQuota: "OVERQUOTA"
        case .serverBug: "SERVERBUG"
        case .clientBug: "CLIENTBUG"
        case .authenticationFailed: "AUTHENTICATIONFAILED"
        case .authorizationFailed: "AUTHORIZATIONFAILED"
        case .expired: "EXPIRED"
        case .privacyRequired: "PRIVACYREQUIRED"
        case .contactAdmin: "CONTACTADMIN"
        case .noPermission: "NOPERM"
        case .inUse: "INUSE"
        case .corruption: "CORRUPTION"
        case .hasChildren: "HASCHILDREN"
        case .notSaved: "NOTSAVED"
        case .useAttribute: "USEATTR"
        case .unknownCTE: "UNKNOWN-CTE"
        case .compressionActive: "COMPRESSIONACTIVE"
        case .notificationOverflow: "NOTIFICATIONOVERFLOW"
        case .tooBig: "TOOBIG"
        case .capability: "CAPABILITY"
        case .permanentFlags: "PERMANENTFLAGS"
        case .uidNext: "UIDNEXT"
        case .uidValidity: "UIDVALIDITY"
        case .unseen: "UNSEEN"
        case .highestModSeq: "HIGHESTMODSEQ"
        case .appendLimit: "APPENDLIMIT"
        case .badCharset: "BADCHARSET"
        case .appendUID: "APPENDUID"
        case .copyUID: "COPYUID"
        case .modified: "MODIFIED"
        case .other(let name, _): name
        }
    }
}

/// The condition of a status response.
public enum ResponseStatus: String, Sendable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case bye = "BYE"
    case preauth = "PREAUTH"
}
