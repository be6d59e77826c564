import Primitives

extension IMAPURL {
    /// Parses the RFC 5092 forms CATENATE uses. Keywords (`;UID=`, `;SECTION=` …) are case-insensitive, as ABNF
    /// strings are. Rejected: message lists and searches (`?…`), URLAUTH (`;EXPIRE=`, `;URLAUTH=`: not offered),
    /// network-path references (`//host/…`), anything not ASCII (RFC 5092 %-encodes the rest).
    public init(parsing text: String) throws(IMAPURLError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw IMAPURLError("Empty URL") }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw IMAPURLError("URL has characters that must be %-encoded") }
        var path: ArraySlice<UInt8>
        var authority: Authority?
        if Self.hasPrefix(bytes[...], "imap://") {
            let afterScheme = bytes.dropFirst(7)
            guard let slash = afterScheme.firstIndex(of: UInt8(ascii: "/")) else { throw IMAPURLError("URL names no message") }
            authority = try Self.authority(afterScheme[..<slash])
            path = bytes[(slash + 1)...]
        } else if Self.hasPrefix(bytes[...], "//") {
            throw IMAPURLError("Network-path references are not supported")
        } else if bytes.first == UInt8(ascii: "/") {
            path = bytes.dropFirst()
        } else if Self.hasPrefix(bytes[...], ";UID=") {
            self = try Self.message(in: nil, uidValidity: nil, rest: bytes[...], authority: nil)
            return
        } else {
            throw IMAPURLError("Not an IMAP URL")
        }
        if path.contains(UInt8(ascii: "?")) { throw IMAPURLError("Message lists and searches are not supported") }
        if Self.hasPrefix(path, ";") { throw IMAPURLError("URL names no mailbox") }
        guard let uidStart = Self.find("/;UID=", in: path) else { throw IMAPURLError("URL names no message (no ;UID=)") }
        var mailboxPart = path[..<uidStart]
        var uidValidity: UInt32?
        if let validityStart = Self.find(";UIDVALIDITY=", in: mailboxPart) {
            uidValidity = try Self.number(mailboxPart[(validityStart + 13)...], nonZero: true, "UIDVALIDITY")
            mailboxPart = mailboxPart[..<validityStart]
        }
        guard !mailboxPart.isEmpty else { throw IMAPURLError("URL names no mailbox") }
        guard !mailboxPart.contains(UInt8(ascii: ";")) else { throw IMAPURLError("Unknown parameter in the mailbox part") }
        let decoded = try Self.percentDecoded(mailboxPart)
        guard let mailbox = String(validating: decoded, as: UTF8.self) else { throw IMAPURLError("Mailbox name is not UTF-8") }
        self = try Self.message(in: mailbox, uidValidity: uidValidity, rest: path[(uidStart + 1)...], authority: authority)
    }

    /// `;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]`, the part after the mailbox.
    private static func message(
        in mailbox: String?, uidValidity: UInt32?, rest: ArraySlice<UInt8>,
        authority: Authority?
    ) throws(IMAPURLError) -> IMAPURL {
        if find(";EXPIRE=", in: rest) != nil || find(";URLAUTH=", in: rest) != nil {
            throw IMAPURLError("URLAUTH is not supported")
        }
        // ";" never appears unencoded inside a value, so "/;" always starts the next parameter.
        var components: [ArraySlice<UInt8>] = []
        var start = rest.startIndex
        while let next = find("/;", in: rest[start...]) {
            components.append(rest[start..<next])
            start = next + 1
        }
        components.append(rest[start...])
        guard let first = components.first, hasPrefix(first, ";UID=") else { throw IMAPURLError("URL names no message (no ;UID=)") }
        var url = IMAPURL(
            authority: authority, mailbox: mailbox, uidValidity: uidValidity,
            uid: try number(first.dropFirst(5), nonZero: true, "UID"))
        for component in components.dropFirst() {
            if hasPrefix(component, ";SECTION=") {
                guard url.section == nil, url.partial == nil else { throw IMAPURLError("SECTION out of place") }
                let value = component.dropFirst(9)
                guard !value.isEmpty else { throw IMAPURLError("Empty SECTION") }
                guard let section = String(validating: try percentDecoded(value), as: UTF8.self) else {
                    throw IMAPURLError("SECTION is not UTF-8")
                }
                url.section = section
            } else if hasPrefix(component, ";PARTIAL=") {
                guard url.partial == nil else { throw IMAPURLError("PARTIAL given twice") }
                let value = component.dropFirst(9)
                if let dot = value.firstIndex(of: UInt8(ascii: ".")) {
                    url.partial = Partial(
                        offset: try number(value[..<dot], nonZero: false, "PARTIAL offset"),
                        length: try number(value[(dot + 1)...], nonZero: true, "PARTIAL length"))
                } else {
                    url.partial = Partial(offset: try number(value, nonZero: false, "PARTIAL offset"))
                }
            } else {
                throw IMAPURLError("Unknown URL parameter")
            }
        }
        return url
    }

    /// `[user[;AUTH=type]@]host[:port]`; the AUTH mechanism does not matter to a URL the session resolves itself.
    private static func authority(_ text: ArraySlice<UInt8>) throws(IMAPURLError) -> Authority {
        var hostPart = text
        var user: String?
        if let at = text.firstIndex(of: UInt8(ascii: "@")) {
            var userPart = text[..<at]
            if let auth = find(";AUTH=", in: userPart) { userPart = userPart[..<auth] }
            if !userPart.isEmpty {
                guard let decoded = String(validating: try percentDecoded(userPart), as: UTF8.self) else {
                    throw IMAPURLError("User name is not UTF-8")
                }
                user = decoded
            }
            hostPart = text[(at + 1)...]
        }
        var port: UInt16?
        // An IPv6 literal holds colons; the port colon comes after its closing bracket.
        let searchFrom = hostPart.lastIndex(of: UInt8(ascii: "]")) ?? hostPart.startIndex
        if let colon = hostPart[searchFrom...].firstIndex(of: UInt8(ascii: ":")) {
            let digits = hostPart[(colon + 1)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(isDigit), let value = UInt16(String(decoding: digits, as: UTF8.self)) else {
                throw IMAPURLError("Invalid port")
            }
            port = value
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw IMAPURLError("URL names no host") }
        return Authority(user: user, host: String(decoding: hostPart, as: UTF8.self), port: port)
    }

    private static func number(_ digits: ArraySlice<UInt8>, nonZero: Bool, _ what: String) throws(IMAPURLError) -> UInt32 {
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy(isDigit),
            let value = UInt32(String(decoding: digits, as: UTF8.self))
        else {
            throw IMAPURLError("Invalid \(what)")
        }
        if nonZero && value == 0 { throw IMAPURLError("Invalid \(what)") }
        return value
    }

    private static func percentDecoded(_ text: ArraySlice<UInt8>) throws(IMAPURLError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                index += 1
                continue
            }
            guard let decoded = Hex.byte(at: index + 1, in: text) else { throw IMAPURLError("Invalid %-encoding") }
            out.append(decoded)
            index += 3
        }
        return out
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Case-insensitive ASCII prefix test.
    private static func hasPrefix(_ bytes: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return prefix.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { lower($0) == lower($1) }
        }
    }

    /// Where `needle` (case-insensitive) starts in `bytes`, as an index of `bytes`.
    private static func find(_ needle: StaticString, in bytes: ArraySlice<UInt8>) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard bytes.count >= count else { return nil }
        var index = bytes.startIndex
        while index + count <= bytes.endIndex {
            if hasPrefix(bytes[index...], needle) { return index }
            index += 1
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
