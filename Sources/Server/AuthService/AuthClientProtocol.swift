/// The lines of Dovecot's authentication client protocol (version 1.2, "auth-client"), which Postfix
/// (`smtpd_sasl_type = dovecot`), Exim and other MTAs speak to check SMTP AUTH logins: tab-separated fields,
/// values tab-escaped (`\x01` → `\x011`, TAB → `\x01t`, CR → `\x01r`, LF → `\x01n`).
enum AuthClientLine: Equatable {
    /// `VERSION major minor`: the client's protocol version.
    case version(major: Int, minor: Int)
    /// `CPID pid`: the client process.
    case clientPID(String)
    /// `AUTH id mechanism key=value… flag…`.
    case authenticate(AuthClientRequest)
    /// `CONT id base64`: the client's answer to a challenge.
    case continuation(id: String, response: String)
    /// `CANCEL id`.
    case cancel(id: String)
    case unknown(String)

    init(_ line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { AuthClientEscaping.unescape(String($0)) }
        switch fields.first ?? "" {
        case "VERSION" where fields.count >= 3:
            self = .version(major: Int(fields[1]) ?? -1, minor: Int(fields[2]) ?? -1)
        case "CPID" where fields.count >= 2:
            self = .clientPID(fields[1])
        case "AUTH" where fields.count >= 3:
            self = .authenticate(AuthClientRequest(id: fields[1], mechanism: fields[2], parameters: Array(fields.dropFirst(3))))
        case "CONT" where fields.count >= 3:
            self = .continuation(id: fields[1], response: fields[2])
        case "CANCEL" where fields.count >= 2:
            self = .cancel(id: fields[1])
        default:
            self = .unknown(fields.first ?? "")
        }
    }
}

/// One `AUTH` line: the SASL mechanism and what the client says about the connection it authenticates.
struct AuthClientRequest: Equatable {
    var id: String
    var mechanism: String
    var service = ""
    var localIP: String?
    var remoteIP: String?
    /// The MTA's connection is TLS or local (`secured`).
    var secured = false
    /// The initial response (`resp=`), base64.
    var initialResponse: String?

    init(id: String, mechanism: String, parameters: [String]) {
        self.id = id
        self.mechanism = mechanism
        for parameter in parameters {
            let (name, value) =
                parameter.firstIndex(of: "=").map {
                    (String(parameter[..<$0]), String(parameter[parameter.index(after: $0)...]))
                } ?? (parameter, "")
            switch name {
            case "service": service = value
            case "lip": localIP = value
            case "rip": remoteIP = value
            case "secured": secured = true
            case "resp": initialResponse = value
            default: break
            }
        }
    }
}

enum AuthClientEscaping {
    static func escape(_ value: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\u{1}": result.append(contentsOf: "\u{1}1".unicodeScalars)
            case "\t": result.append(contentsOf: "\u{1}t".unicodeScalars)
            case "\r": result.append(contentsOf: "\u{1}r".unicodeScalars)
            case "\n": result.append(contentsOf: "\u{1}n".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    static func unescape(_ value: String) -> String {
        guard value.unicodeScalars.contains("\u{1}") else { return value }
        var result = String.UnicodeScalarView()
        var escaped = false
        for scalar in value.unicodeScalars {
            if escaped {
                switch scalar {
                case "1": result.append("\u{1}")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "n": result.append("\n")
                default: result.append(scalar)
                }
                escaped = false
            } else if scalar == "\u{1}" {
                escaped = true
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}
