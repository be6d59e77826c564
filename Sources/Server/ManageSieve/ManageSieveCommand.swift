/// A ManageSieve command (RFC 5804 §2), its arguments checked for kind and number.
enum ManageSieveCommand: Sendable, Equatable {
    case authenticate(mechanism: String, initialResponse: String?)
    case startTLS
    case logout
    case capability
    case haveSpace(name: String, size: Int)
    case putScript(name: String, script: String)
    case listScripts
    case setActive(name: String)
    case getScript(name: String)
    case deleteScript(name: String)
    case renameScript(old: String, new: String)
    case checkScript(script: String)
    case noop(tag: String?)
    case unauthenticate

    /// Whether the command needs a logged-in user (RFC 5804 §2: the script commands).
    var needsLogin: Bool {
        switch self {
        case .haveSpace, .putScript, .listScripts, .setActive, .getScript, .deleteScript, .renameScript, .checkScript, .unauthenticate:
            true
        case .authenticate, .startTLS, .logout, .capability, .noop:
            false
        }
    }
}

/// Why a command line was refused; the text goes in the NO (Dovecot's wording).
struct ManageSieveParseError: Error, Equatable {
    var message: String
}

enum ManageSieveCommandParser {
    static func parse(_ tokens: [ManageSieveToken]) throws(ManageSieveParseError) -> ManageSieveCommand {
        guard case .atom(let word)? = tokens.first else { throw ManageSieveParseError(message: "Error in MANAGESIEVE command received by server.") }
        let name = word.uppercased()
        let arguments = Array(tokens.dropFirst())

        func strings(_ count: ClosedRange<Int>) throws(ManageSieveParseError) -> [String] {
            guard count.contains(arguments.count) else {
                throw ManageSieveParseError(
                    message: "Error in MANAGESIEVE command \(name): " + (arguments.count < count.lowerBound ? "Missing arguments." : "Too many arguments."))
            }
            var values: [String] = []
            for argument in arguments {
                guard case .string(let value) = argument else {
                    throw ManageSieveParseError(message: "Error in MANAGESIEVE command \(name): Invalid arguments.")
                }
                values.append(value)
            }
            return values
        }

        switch name {
        case "AUTHENTICATE":
            let values = try strings(1...2)
            return .authenticate(mechanism: values[0], initialResponse: values.count == 2 ? values[1] : nil)
        case "STARTTLS":
            _ = try strings(0...0)
            return .startTLS
        case "LOGOUT":
            _ = try strings(0...0)
            return .logout
        case "CAPABILITY":
            _ = try strings(0...0)
            return .capability
        case "HAVESPACE":
            guard arguments.count == 2, case .string(let script) = arguments[0], case .atom(let number) = arguments[1] else {
                throw ManageSieveParseError(message: "Error in MANAGESIEVE command HAVESPACE: Invalid arguments.")
            }
            guard !number.isEmpty, number.count <= 18, number.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let size = Int(number) else {
                throw ManageSieveParseError(message: "Error in MANAGESIEVE command HAVESPACE: Invalid arguments.")
            }
            return .haveSpace(name: script, size: size)
        case "PUTSCRIPT":
            let values = try strings(2...2)
            return .putScript(name: values[0], script: values[1])
        case "LISTSCRIPTS":
            _ = try strings(0...0)
            return .listScripts
        case "SETACTIVE":
            return .setActive(name: try strings(1...1)[0])
        case "GETSCRIPT":
            return .getScript(name: try strings(1...1)[0])
        case "DELETESCRIPT":
            return .deleteScript(name: try strings(1...1)[0])
        case "RENAMESCRIPT":
            let values = try strings(2...2)
            return .renameScript(old: values[0], new: values[1])
        case "CHECKSCRIPT":
            return .checkScript(script: try strings(1...1)[0])
        case "NOOP":
            return .noop(tag: try strings(0...1).first)
        case "UNAUTHENTICATE":
            _ = try strings(0...0)
            return .unauthenticate
        default:
            throw ManageSieveParseError(message: "Error in MANAGESIEVE command \(name.prefix(40)): Unknown command.")
        }
    }
}
