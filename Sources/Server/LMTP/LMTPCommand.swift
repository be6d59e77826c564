import Primitives

/// One LMTP command line, parsed (RFC 2033, RFC 5321 syntax, RFC 3030 BDAT).
enum LMTPCommand: Equatable, Sendable {
    case lhlo(String)
    case mail(from: String, parameters: [String: String])
    case rcpt(to: String, parameters: [String: String])
    case data
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit
    case vrfy
    case starttls
    /// Postfix's XCLIENT (ADDR, PORT, HELO, LOGIN …), from a trusted proxy or MTA.
    case xclient([String: String])
    case unknown(String)
    /// A known verb with arguments that do not parse.
    case syntaxError(String)

    static func parse(_ line: Substring) -> LMTPCommand {
        let verbEnd = line.firstIndex(of: " ") ?? line.endIndex
        let verb = line[..<verbEnd].uppercased()
        let rest = line[verbEnd...].drop(while: { $0 == " " })
        switch verb {
        case "LHLO":
            let domain = rest.split(separator: " ").first.map(String.init) ?? ""
            return domain.isEmpty ? .syntaxError("Missing hostname") : .lhlo(domain)
        case "MAIL":
            guard let (address, parameters) = parsePath(rest, keyword: "FROM:") else { return .syntaxError("Invalid FROM: syntax") }
            return .mail(from: address, parameters: parameters)
        case "RCPT":
            guard let (address, parameters) = parsePath(rest, keyword: "TO:"), !address.isEmpty else {
                return .syntaxError("Invalid TO: syntax")
            }
            return .rcpt(to: address, parameters: parameters)
        case "DATA": return rest.isEmpty ? .data : .syntaxError("DATA takes no parameters")
        case "BDAT":
            let words = rest.split(separator: " ")
            guard let first = words.first, let size = Int(first), size >= 0, words.count <= 2 else {
                return .syntaxError("Invalid BDAT size")
            }
            if words.count == 2 {
                guard words[1].uppercased() == "LAST" else { return .syntaxError("Invalid BDAT parameter") }
                return .bdat(size: size, last: true)
            }
            return .bdat(size: size, last: false)
        case "RSET": return .rset
        case "NOOP": return .noop
        case "QUIT": return .quit
        case "VRFY": return .vrfy
        case "STARTTLS": return rest.isEmpty ? .starttls : .syntaxError("STARTTLS takes no parameters")
        case "XCLIENT": return XClient.parse(rest).map { .xclient($0) } ?? .syntaxError("Invalid XCLIENT parameters")
        default: return .unknown(verb)
        }
    }

    /// `FROM:<path> PARAM=VALUE …`; a space after the colon is tolerated (as Postfix and Dovecot do).
    /// Quoted local parts may contain `>`. Returns the address without brackets.
    static func parsePath(_ text: Substring, keyword: String) -> (String, [String: String])? {
        guard text.uppercased().hasPrefix(keyword) else { return nil }
        let rest = text.dropFirst(keyword.count).drop(while: { $0 == " " })
        guard rest.first == "<" else { return nil }
        var inQuotes = false
        var escaped = false
        var end: Substring.Index?
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex {
            let character = rest[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == ">" && !inQuotes {
                end = index
                break
            }
            index = rest.index(after: index)
        }
        guard let close = end else { return nil }
        var address = String(rest[rest.index(after: rest.startIndex)..<close])
        // A source route (<@a,@b:user@c>) is obsolete: keep only the mailbox.
        if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") { address = String(address[address.index(after: colon)...]) }
        var parameters: [String: String] = [:]
        for word in rest[rest.index(after: close)...].split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // RFC 5321 esmtp-keyword: at least one character (a bare "=VALUE" is a syntax error, never a crash).
            guard let keyword = pair.first, !keyword.isEmpty else { return nil }
            parameters[keyword.uppercased()] = pair.count == 2 ? String(pair[1]) : ""
        }
        return (address, parameters)
    }
}

extension String {
    /// RFC 3461 xtext (ORCPT's value): `+HH` stands for one byte.
    var xtextDecoded: String {
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+"), let value = Hex.byte(at: utf8.startIndex, in: utf8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
