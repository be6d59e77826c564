import Foundation
import MailModel
import ObjectMail
import Primitives

/// doveadm's search query (doveadm-search-query(7)), turned into the storage's `SearchQuery` so that
/// `objectmail search|fetch|expunge|flags` use the same search engine as IMAP SEARCH. `mailbox NAME`
/// (wildcards `*` and `%`) and `mailbox-guid GUID` choose the mailboxes; without them every mailbox is searched.
struct DoveadmQuery: Sendable {
    var mailboxMasks: [String] = []
    var mailboxGUIDs: [String] = []
    var search: SearchQuery

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ words: [String], now: Date = Date()) throws(Failure) {
        var parser = Parser(words: words, now: now)
        var terms: [SearchQuery] = []
        while !parser.atEnd {
            if let term = try parser.term(top: true) { terms.append(term) }
        }
        mailboxMasks = parser.mailboxMasks
        mailboxGUIDs = parser.mailboxGUIDs
        guard !terms.isEmpty || !mailboxMasks.isEmpty || !mailboxGUIDs.isEmpty else { throw Failure(description: "Empty search query") }
        search = terms.isEmpty ? .all : terms.count == 1 ? terms[0] : .and(terms)
    }

    /// Whether the mailbox is one the query names (any mailbox when it names none).
    func selects(name: String, guid: String) -> Bool {
        if mailboxMasks.isEmpty && mailboxGUIDs.isEmpty { return true }
        return mailboxGUIDs.contains(guid) || mailboxMasks.contains { MailboxMask.matches($0, name) }
    }

    private struct Parser {
        let words: [String]
        let now: Date
        var position = 0
        var mailboxMasks: [String] = []
        var mailboxGUIDs: [String] = []

        init(words: [String], now: Date) {
            // "(" and ")" may be glued to their neighbours, as in IMAP: "(SEEN" → "(", "SEEN".
            var split: [String] = []
            for word in words {
                var rest = Substring(word)
                while rest.first == "(" && rest.count > 1 {
                    split.append("(")
                    rest = rest.dropFirst()
                }
                var closing = 0
                while rest.last == ")" && rest.count > 1 {
                    closing += 1
                    rest = rest.dropLast()
                }
                split.append(String(rest))
                split += Array(repeating: ")", count: closing)
            }
            self.words = split
            self.now = now
        }

        var atEnd: Bool { position >= words.count }

        mutating func next() throws(Failure) -> String {
            guard position < words.count else { throw Failure(description: "Missing search parameter") }
            defer { position += 1 }
            return words[position]
        }

        /// One search key; nil for a mailbox selection (only at the top level, ANDed with the rest).
        mutating func term(top: Bool = false) throws(Failure) -> SearchQuery? {
            let word = try next()
            switch word.uppercased() {
            case "MAILBOX" where top:
                mailboxMasks.append(try next())
                return nil
            case "MAILBOX-GUID" where top:
                mailboxGUIDs.append(try next().lowercased())
                return nil
            case "(":
                var inner: [SearchQuery] = []
                while true {
                    guard !atEnd else { throw Failure(description: "Missing ')'") }
                    if words[position] == ")" {
                        position += 1
                        break
                    }
                    if let term = try term() { inner.append(term) }
                }
                return inner.count == 1 ? inner[0] : .and(inner)
            case "ALL": return .all
            case "NOT": return .not(try required())
            case "OR": return .or(try required(), try required())
            case "UID": return .uids(try uidSet(try next()))
            case "SEEN": return .flags(.seen, set: true)
            case "UNSEEN": return .flags(.seen, set: false)
            case "ANSWERED": return .flags(.answered, set: true)
            case "UNANSWERED": return .flags(.answered, set: false)
            case "DELETED": return .flags(.deleted, set: true)
            case "UNDELETED": return .flags(.deleted, set: false)
            case "FLAGGED": return .flags(.flagged, set: true)
            case "UNFLAGGED": return .flags(.flagged, set: false)
            case "DRAFT": return .flags(.draft, set: true)
            case "UNDRAFT": return .flags(.draft, set: false)
            case "KEYWORD": return .keyword(try next(), set: true)
            case "UNKEYWORD": return .keyword(try next(), set: false)
            case "LARGER": return .larger(try size(try next()))
            case "SMALLER": return .smaller(try size(try next()))
            case "BEFORE", "ON", "SINCE": return try date(word.uppercased(), try next(), received: true)
            case "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE": return try date(String(word.uppercased().dropFirst(5)), try next(), received: false)
            case "SENTBEFORE", "SENTON", "SENTSINCE":
                return .sentDate(DayComparison(relation(String(word.uppercased().dropFirst(4))), try day(try next())))
            case "FROM", "TO", "CC", "BCC": return .address(field: word.lowercased(), contains: try next())
            case "SUBJECT": return .subject(try next())
            case "BODY": return .body(try next())
            case "TEXT": return .text(try next())
            case "HEADER": return .header(name: try next().lowercased(), contains: try next())
            case "OLDER": return .older(seconds: try seconds(try next()))
            case "YOUNGER": return .younger(seconds: try seconds(try next()))
            default:
                throw Failure(description: "Unknown argument \(word)")
            }
        }

        mutating func required() throws(Failure) -> SearchQuery {
            guard let term = try term() else { throw Failure(description: "'mailbox' must be at the top level of the query") }
            return term
        }

        func uidSet(_ text: String) throws(Failure) -> UIDSet {
            var set = UIDSet()
            for part in text.split(separator: ",") {
                let ends = part.split(separator: ":", omittingEmptySubsequences: false).map { $0 == "*" ? UInt32.max : UInt32($0) }
                guard (1...2).contains(ends.count), let low = ends.first ?? nil, let high = ends.last ?? nil else {
                    throw Failure(description: "Invalid UID set '\(text)'")
                }
                set.insert(min(low, high)...max(low, high))
            }
            return set
        }

        func size(_ text: String) throws(Failure) -> Int64 {
            let units: [Character: Int64] = ["B": 1, "K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
            var digits = Substring(text.uppercased())
            var factor: Int64 = 1
            if let last = digits.last, let unit = units[last] {
                factor = unit
                digits = digits.dropLast()
            }
            guard let value = Int64(digits) else { throw Failure(description: "Invalid size '\(text)'") }
            return value * factor
        }

        /// An interval as doveadm writes it: `30d`, `2 weeks` is not one word, so `2weeks`, `12h`, `90mins`, `3600`.
        func seconds(_ text: String) throws(Failure) -> Int64 {
            let units: [(String, Int64)] = [
                ("weeks", 604_800), ("week", 604_800), ("w", 604_800), ("days", 86400), ("day", 86400), ("d", 86400),
                ("hours", 3600), ("hour", 3600), ("h", 3600), ("mins", 60), ("min", 60), ("m", 60),
                ("secs", 1), ("sec", 1), ("s", 1)
            ]
            let lower = text.lowercased()
            if let value = Int64(lower) { return value }
            for (suffix, factor) in units where lower.hasSuffix(suffix) {
                if let value = Int64(lower.dropLast(suffix.count)) { return value * factor }
            }
            throw Failure(description: "Invalid interval '\(text)'")
        }

        func relation(_ word: String) -> DayComparison.Relation {
            switch word {
            case "BEFORE": .before
            case "ON": .on
            default: .since
            }
        }

        /// `BEFORE 30d` is an age (doveadm: received more than 30 days ago); a date is a calendar day.
        func date(_ word: String, _ text: String, received: Bool) throws(Failure) -> SearchQuery {
            if let age = try? seconds(text), text.last?.isLetter == true {
                if received {
                    return word == "BEFORE"
                        ? .older(seconds: age)
                        : word == "SINCE"
                            ? .younger(seconds: age)
                            : .internalDate(DayComparison(.on, calendarDay(now.addingTimeInterval(-Double(age)))))
                }
                return .saveDate(DayComparison(relation(word), calendarDay(now.addingTimeInterval(-Double(age)))))
            }
            let comparison = DayComparison(relation(word), try day(text))
            return received ? .internalDate(comparison) : .saveDate(comparison)
        }

        func calendarDay(_ date: Date) -> CivilDate {
            let parts = Calendar.current.dateComponents([.year, .month, .day], from: date)
            return CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)
        }

        /// `2026-12-01`, IMAP's `1-Dec-2026`, or seconds since 1970.
        func day(_ text: String) throws(Failure) -> CivilDate {
            let dashed = text.split(separator: "-").map(String.init)
            if dashed.count == 3, let year = Int(dashed[0]), let month = Int(dashed[1]), let day = Int(dashed[2]), (1...12).contains(month) {
                return CivilDate(year: year, month: month, day: day)
            }
            if dashed.count == 3, let day = Int(dashed[0]), let month = CivilDate.month(abbreviation: dashed[1]), let year = Int(dashed[2]) {
                return CivilDate(year: year, month: month, day: day)
            }
            if let stamp = Int64(text) { return calendarDay(Date(timeIntervalSince1970: Double(stamp))) }
            throw Failure(description: "Invalid date '\(text)'")
        }
    }
}

/// doveadm's mailbox masks: `*` matches anything, `%` anything but the hierarchy separator; INBOX in any case.
enum MailboxMask {
    static func matches(_ mask: String, _ name: String) -> Bool {
        var pattern = mask
        if pattern.uppercased() == "INBOX" || pattern.uppercased().hasPrefix("INBOX/") { pattern = "INBOX" + pattern.dropFirst(5) }
        return match(Array(pattern), 0, Array(name), 0)
    }

    private static func match(_ pattern: [Character], _ p: Int, _ name: [Character], _ n: Int) -> Bool {
        if p == pattern.count { return n == name.count }
        switch pattern[p] {
        case "*":
            return (n...name.count).contains { match(pattern, p + 1, name, $0) }
        case "%":
            var end = n
            while true {
                if match(pattern, p + 1, name, end) { return true }
                guard end < name.count, name[end] != MailboxName.separator else { return false }
                end += 1
            }
        default:
            return n < name.count && pattern[p] == name[n] && match(pattern, p + 1, name, n + 1)
        }
    }
}
