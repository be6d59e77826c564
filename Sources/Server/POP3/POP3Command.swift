/// A POP3 command line (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH, RFC 2595 STLS), parsed.
/// Message numbers are 1-based as on the wire; whether they exist is the session's business.
enum POP3Command: Sendable, Equatable {
    case capa
    case user(String)
    case pass(String)
    case apop(user: String, digest: String)
    case auth(mechanism: String?, initialResponse: String?)
    case stls
    case stat
    case list(Int?)
    case uidl(Int?)
    case retr(Int)
    case top(Int, lines: Int)
    case dele(Int)
    case rset
    case noop
    case quit
    case last

    var name: String {
        switch self {
        case .capa: "CAPA"
        case .user: "USER"
        case .pass: "PASS"
        case .apop: "APOP"
        case .auth: "AUTH"
        case .stls: "STLS"
        case .stat: "STAT"
        case .list: "LIST"
        case .uidl: "UIDL"
        case .retr: "RETR"
        case .top: "TOP"
        case .dele: "DELE"
        case .rset: "RSET"
        case .noop: "NOOP"
        case .quit: "QUIT"
        case .last: "LAST"
        }
    }
}

/// Why a command line was refused; the text goes after `-ERR `.
struct POP3ParseError: Error, Equatable {
    var message: String
}

/// Parses one command line. Keywords are case-insensitive; arguments are separated by single
/// spaces as RFC 1939 says, but runs of spaces are tolerated as Dovecot does. PASS takes the rest of
/// the line, so passwords may contain spaces.
enum POP3CommandParser {
    /// Message numbers above this are refused before any lookup (no mailbox is this large).
    static let maxNumber = Int(Int32.max)

    static func parse(_ line: String) throws(POP3ParseError) -> POP3Command {
        let keywordEnd = line.firstIndex(of: " ") ?? line.endIndex
        let keyword = line[..<keywordEnd].uppercased()
        let rest = keywordEnd < line.endIndex ? String(line[line.index(after: keywordEnd)...]) : ""
        let arguments = rest.split(separator: " ").map(String.init)

        func none() throws(POP3ParseError) {
            guard arguments.isEmpty else { throw POP3ParseError(message: "Too many arguments.") }
        }
        func number(_ text: String) throws(POP3ParseError) -> Int {
            guard !text.isEmpty, text.count <= 10, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(text), value <= maxNumber
            else {
                throw POP3ParseError(message: "Invalid message number: \(text.prefix(20))")
            }
            return value
        }
        func optionalNumber() throws(POP3ParseError) -> Int? {
            guard arguments.count <= 1 else { throw POP3ParseError(message: "Too many arguments.") }
            return try arguments.first.map(number)
        }
        func oneNumber() throws(POP3ParseError) -> Int {
            guard arguments.count == 1 else {
                throw POP3ParseError(message: arguments.isEmpty ? "Message number expected." : "Too many arguments.")
            }
            return try number(arguments[0])
        }

        switch keyword {
        case "CAPA":
            try none()
            return .capa
        case "USER":
            guard !rest.isEmpty else { throw POP3ParseError(message: "USER: Missing user name.") }
            return .user(rest)
        case "PASS":
            return .pass(rest)
        case "APOP":
            guard arguments.count == 2 else { throw POP3ParseError(message: "APOP: Expected user name and digest.") }
            return .apop(user: arguments[0], digest: arguments[1])
        case "AUTH":
            guard arguments.count <= 2 else { throw POP3ParseError(message: "Too many arguments.") }
            return .auth(mechanism: arguments.first, initialResponse: arguments.count == 2 ? arguments[1] : nil)
        case "STLS":
            try none()
            return .stls
        case "STAT":
            try none()
            return .stat
        case "LIST": return .list(try optionalNumber())
        case "UIDL": return .uidl(try optionalNumber())
        case "RETR": return .retr(try oneNumber())
        case "DELE": return .dele(try oneNumber())
        case "TOP":
            guard arguments.count == 2 else { throw POP3ParseError(message: "TOP: Expected message number and line count.") }
            let message = try number(arguments[0])
            guard arguments[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let lines = Int(arguments[1].prefix(18)) else {
                throw POP3ParseError(message: "Invalid number of lines: \(arguments[1].prefix(20))")
            }
            return .top(message, lines: arguments[1].count > 18 ? Int.max : lines)
        case "RSET":
            try none()
            return .rset
        case "NOOP":
            try none()
            return .noop
        case "QUIT":
            try none()
            return .quit
        case "LAST":
            try none()
            return .last
        default:
            throw POP3ParseError(message: "Unknown command: \(keyword.prefix(20))")
        }
    }
}
