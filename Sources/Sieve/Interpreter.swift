import Foundation
import MIME

#if canImport(Glibc)
    import Glibc
#endif

/// Runs compiled scripts. A runtime error (a limit, a failed include) drops the actions and keeps the
/// message, as Pigeonhole does; it is reported in the result.
public enum SieveInterpreter {
    public static func run(_ script: SieveScript, message: SieveMessage, environment: SieveEnvironment = SieveEnvironment()) -> SieveResult {
        let run = Run(message: message, environment: environment)
        do {
            _ = try run.execute(script, frame: Frame())
            return run.result(error: nil)
        } catch {
            return run.result(error: "line \(error.line): error: \(error.message)")
        }
    }
}

struct LinedError: Error {
    var line: Int
    var message: String
}

private enum Flow { case next, stop, ret }

/// Per-script variables: locals, plus the names it declared global.
private final class Frame {
    var locals: [String: String] = [:]
    var globalNames: Set<String> = []
    var matches: [String] = []
}

private final class Run {
    let env: SieveEnvironment
    let message: SieveMessage
    var edited: EditableMessage
    let budget: StepBudget
    let regexCache: RegexCache
    var globals: [String: String] = [:]
    var internalFlags: [String] = []
    var actions: [SieveAction] = []
    var actionLines: [Int] = []
    var keepCancelled = false
    var redirects = 0
    var vacationLine: Int?
    var duplicateMarks: [SieveDuplicateMark] = []
    var includeStack: [String] = []
    var includedOnce: Set<String> = []
    var includeCount = 0
    var compiledIncludes: [String: SieveScript] = [:]
    var structureCache: MessageStructure?

    init(message: SieveMessage, environment: SieveEnvironment) {
        self.message = message
        env = environment
        edited = EditableMessage(message.bytes)
        budget = StepBudget(environment.limits.maxSteps)
        regexCache = RegexCache(maxPatternLength: environment.limits.maxRegexPatternLength, budget: budget)
    }

    func result(error: String?) -> SieveResult {
        if let error {
            return SieveResult(
                actions: [], implicitKeep: .store(mailbox: "INBOX", flags: [], copy: false, create: false),
                runtimeError: error, editedMessage: nil, duplicateMarks: [])
        }
        let keep: SieveAction? = keepCancelled ? nil : .store(mailbox: "INBOX", flags: internalFlags, copy: false, create: false)
        return SieveResult(
            actions: actions, implicitKeep: keep, runtimeError: nil,
            editedMessage: edited.edited ? edited.bytes : nil, duplicateMarks: duplicateMarks)
    }

    // MARK: Commands

    func execute(_ script: SieveScript, frame: Frame) throws(LinedError) -> Flow {
        try block(script.commands, script: script, frame: frame)
    }

    func block(_ nodes: [SieveNode], script: SieveScript, frame: Frame) throws(LinedError) -> Flow {
        var previousIfTaken: Bool?
        for node in nodes {
            do { try budget.spend() } catch { throw LinedError(line: node.line, message: error.message) }
            switch node.name {
            case "if", "elsif", "else":
                if node.name != "if", previousIfTaken == true { continue }
                var taken = true
                if node.name != "else" { taken = try test(node.tests[0], script: script, frame: frame) }
                previousIfTaken = node.name == "else" ? nil : taken
                if taken {
                    let flow = try block(node.block ?? [], script: script, frame: frame)
                    if flow != .next { return flow }
                }
                continue
            default:
                previousIfTaken = nil
            }
            let flow = try command(node, script: script, frame: frame)
            if flow != .next { return flow }
        }
        return .next
    }

    func str(_ s: String, _ script: SieveScript, _ frame: Frame) -> String {
        guard script.extensions.contains("variables"), s.contains("${") else { return s }
        var vars = frame.locals
        for g in frame.globalNames { vars[g] = globals[g] ?? "" }
        return Variables.expand(s, variables: vars, matches: frame.matches, maxSize: env.limits.maxVariableSize)
    }

    func strings(_ a: SieveArgument?, _ script: SieveScript, _ frame: Frame) -> [String] {
        (a?.strings ?? []).map { str($0, script, frame) }
    }

    func setVariable(_ name: String, _ value: String, frame: Frame, line: Int) throws(LinedError) {
        let n = name.lowercased()
        var v = value
        if v.utf8.count > env.limits.maxVariableSize { v = String(decoding: v.utf8.prefix(env.limits.maxVariableSize), as: UTF8.self) }
        if frame.globalNames.contains(n) {
            globals[n] = v
        } else {
            if frame.locals[n] == nil && frame.locals.count >= env.limits.maxVariables {
                throw LinedError(line: line, message: "too many variables (max \(env.limits.maxVariables))")
            }
            frame.locals[n] = v
        }
    }

    func getVariable(_ name: String, frame: Frame) -> String {
        let n = name.lowercased()
        return frame.globalNames.contains(n) ? globals[n] ?? "" : frame.locals[n] ?? ""
    }

    func addAction(_ a: SieveAction, line: Int) throws(LinedError) {
        try checkConflicts(a, line: line)
        if case .store(let mailbox, let flags, let copy, let create) = a,
            let i = actions.firstIndex(where: {
                if case .store(mailbox, _, _, _) = $0 { return true }
                return false
            })
        {
            // A second store into one mailbox replaces the first's flags, as Pigeonhole merges them.
            if case .store(_, _, let oldCopy, let oldCreate) = actions[i] {
                actions[i] = .store(mailbox: mailbox, flags: flags, copy: oldCopy && copy, create: oldCreate || create)
            }
            return
        }
        if case .redirect(let address, _) = a,
            actions.contains(where: {
                if case .redirect(let x, _) = $0 { return x.lowercased() == address.lowercased() }
                return false
            })
        {
            return
        }
        if actions.count + 1 > env.limits.maxActions {
            throw LinedError(line: line, message: "total number of actions exceeds policy limit (\(actions.count + 1) > \(env.limits.maxActions))")
        }
        actions.append(a)
        actionLines.append(line)
    }

    /// Pigeonhole's conflicts: reject with anything that delivers the message, reject with vacation (both answer
    /// the sender), a second reject. The error names the line of the reject (or vacation) and of the other action.
    func checkConflicts(_ a: SieveAction, line: Int) throws(LinedError) {
        func delivers(_ x: SieveAction) -> Bool {
            switch x {
            case .store, .redirect: return true
            default: return false
            }
        }
        func name(_ x: SieveAction) -> String {
            switch x {
            case .store: return "store"
            case .redirect: return "redirect"
            case .discard: return "discard"
            case .reject: return "reject"
            case .vacation: return "vacation"
            }
        }
        for (other, otherLine) in zip(actions, actionLines) {
            switch (a, other) {
            case (.reject, .reject):
                throw LinedError(line: line, message: "duplicate reject/ereject action not allowed (previously triggered one was here: line \(otherLine))")
            case (.reject, _) where delivers(other):
                throw LinedError(
                    line: line,
                    message: "reject/ereject action conflicts with other action: the \(name(other)) action (line \(otherLine)) tries to deliver the message")
            case (_, .reject) where delivers(a):
                throw LinedError(
                    line: otherLine,
                    message: "reject/ereject action conflicts with other action: the \(name(a)) action (line \(line)) tries to deliver the message")
            case (.vacation, .reject):
                throw LinedError(
                    line: line,
                    message: "vacation action conflicts with other action: the reject action (line \(otherLine)) also sends a response back to the sender")
            case (.reject, .vacation):
                throw LinedError(
                    line: otherLine,
                    message: "vacation action conflicts with other action: the reject action (line \(line)) also sends a response back to the sender")
            default:
                continue
            }
        }
    }

    func mergeFlags(_ a: [String], _ b: [String]) -> [String] {
        var out = a
        for f in b where !out.contains(where: { $0.lowercased() == f.lowercased() }) { out.append(f) }
        return out
    }

    func flagList(_ strings: [String]) -> [String] {
        mergeFlags([], strings.flatMap { $0.split(separator: " ").map(String.init) })
    }

    func command(_ node: SieveNode, script: SieveScript, frame: Frame) throws(LinedError) -> Flow {
        let line = node.line
        let s = { (a: SieveArgument?) in self.strings(a, script, frame) }
        func actionFlags() -> [String] {
            if let f = node.tags["flags"] { return flagList(s(f)) }
            // The internal variable belongs to the whole run: flags an included script set apply here too.
            return internalFlags
        }
        switch node.name {
        case "stop": return .stop
        case "return": return .ret
        case "keep":
            keepCancelled = true
            try addAction(.store(mailbox: "INBOX", flags: actionFlags(), copy: false, create: false), line: line)
        case "discard":
            keepCancelled = true
            try addAction(.discard, line: line)
        case "fileinto":
            let mailbox = s(node.positional[0]).first ?? ""
            if !node.has("copy") { keepCancelled = true }
            try addAction(.store(mailbox: mailbox, flags: actionFlags(), copy: node.has("copy"), create: node.has("create")), line: line)
        case "redirect":
            let address = s(node.positional[0]).first ?? ""
            guard let parsed = AddressParts.parsePath(address), parsed.domain != nil, !parsed.local.isEmpty else {
                throw LinedError(line: line, message: "specified redirect address '\(address)' is invalid")
            }
            redirects += 1
            if redirects > env.limits.maxRedirects {
                throw LinedError(line: line, message: "number of redirect actions exceeds policy limit (\(redirects) > \(env.limits.maxRedirects))")
            }
            if !node.has("copy") { keepCancelled = true }
            try addAction(.redirect(address: AddressParts.part(parsed, "all") ?? address, copy: node.has("copy")), line: line)
        case "reject", "ereject":
            keepCancelled = true
            try addAction(.reject(reason: s(node.positional[0]).first ?? "", extended: node.name == "ereject"), line: line)
        case "vacation":
            try vacation(node, s)
        case "setflag", "addflag", "removeflag":
            let list = flagList(s(node.positional.last))
            let variable = node.positional.count == 2 ? s(node.positional[0]).first : nil
            var current = variable.map { flagList([getVariable($0, frame: frame)]) } ?? internalFlags
            switch node.name {
            case "setflag": current = list
            case "addflag": current = mergeFlags(current, list)
            default: current.removeAll { f in list.contains { $0.lowercased() == f.lowercased() } }
            }
            if let variable { try setVariable(variable, current.joined(separator: " "), frame: frame, line: line) } else { internalFlags = current }
        case "set":
            let name = s(node.positional[0]).first ?? ""
            let value = Variables.apply(node.tags, to: s(node.positional[1]).first ?? "")
            try setVariable(name, value, frame: frame, line: line)
        case "global":
            for name in s(node.positional[0]) { frame.globalNames.insert(name.lowercased()) }
        case "include":
            return try include(node, s, frame: frame)
        case "addheader":
            let name = s(node.positional[0]).first ?? ""
            let value = s(node.positional[1]).first ?? ""
            guard HeaderEdit.isValidFieldName(name) else {
                throw LinedError(line: line, message: "addheader action: specified field name '\(name)' is invalid")
            }
            let h = HeaderLine(name: name, rawValue: HeaderEdit.encode(value))
            if node.has("last") { edited.headers.append(h) } else { edited.headers.insert(h, at: 0) }
            edited.edited = true
        case "deleteheader":
            try deleteHeader(node, script: script, frame: frame)
        default:
            throw LinedError(line: line, message: "unsupported command '\(node.name)'")
        }
        return .next
    }

    func vacation(_ node: SieveNode, _ s: (SieveArgument?) -> [String]) throws(LinedError) {
        let line = node.line
        if let first = vacationLine {
            throw LinedError(line: line, message: "duplicate vacation action not allowed (previously triggered one was here: line \(first))")
        }
        vacationLine = line
        let day = 86400
        var period = 7 * day
        if case .number(let d)? = node.tags["days"] { period = d * day }
        if case .number(let sec)? = node.tags["seconds"] { period = sec }
        period = max(day, period) // Pigeonhole's sieve_vacation_min_period 1d; its max period is unlimited
        let reason = s(node.positional[0]).first ?? ""
        let subject = node.tags["subject"].flatMap { s($0).first }
        let from = node.tags["from"].flatMap { s($0).first }
        let addresses = s(node.tags["addresses"])
        let handle =
            node.tags["handle"].flatMap { s($0).first }
            ?? reason + (subject ?? "<default-subject>") + (from ?? "<default-from>") + (node.has("mime") ? "<MIME>" : "<NO-MIME>")
        guard let sender = AddressParts.parsePath(message.envelopeFrom), let senderDomain = sender.domain else { return }
        let senderAddress = "\(sender.local)@\(senderDomain)".lowercased()
        let local = sender.local.lowercased()
        if local == "mailer-daemon" || local == "listserv" || local == "majordomo" || local.hasPrefix("owner-")
            || local.hasSuffix("-request")
        {
            return
        }
        if let a = edited.all("auto-submitted").first, String(decoding: a.unfolded, as: UTF8.self).lowercased() != "no" { return }
        if let p = edited.all("precedence").first, ["bulk", "list", "junk"].contains(String(decoding: p.unfolded, as: UTF8.self).lowercased()) { return }
        for list in ["list-id", "list-owner", "list-unsubscribe", "list-post", "list-help", "list-subscribe"] where !edited.all(list).isEmpty { return }
        var own = Set(
            ([message.envelopeTo] + addresses + env.userAddresses).compactMap { AddressParts.parsePath($0) }.map {
                (AddressParts.part($0, "all") ?? "").lowercased()
            })
        own.remove("")
        if own.contains(senderAddress) { return }
        var toMe = false
        for name in ["to", "cc", "bcc", "resent-to", "resent-cc"] {
            for h in edited.all(name) {
                for a in AddressParts.parse(h.unfolded) where own.contains((AddressParts.part(a, "all") ?? "").lowercased()) { toMe = true }
            }
        }
        if !toMe { return }
        if env.alreadyResponded(senderAddress, handle, period) { return }
        try addAction(
            .vacation(
                SieveVacation(
                    period: period, subject: subject, from: from, addresses: addresses, mime: node.has("mime"),
                    handle: handle, reason: reason, recipient: senderAddress)), line: line)
    }

    func include(_ node: SieveNode, _ s: (SieveArgument?) -> [String], frame: Frame) throws(LinedError) -> Flow {
        let line = node.line
        let name = s(node.positional[0]).first ?? ""
        let location: SieveScriptLocation = node.has("global") ? .global : .personal
        let key = "\(location.rawValue):\(name)"
        if node.has("once") && includedOnce.contains(key) { return .next }
        if includeStack.contains(key) {
            throw LinedError(line: line, message: "include: circular include of script '\(name)'")
        }
        if includeStack.count >= env.limits.maxIncludeDepth {
            throw LinedError(line: line, message: "include: nesting depth of included scripts exceeds the limit (\(env.limits.maxIncludeDepth))")
        }
        includeCount += 1
        if includeCount > env.limits.maxIncludes {
            throw LinedError(line: line, message: "include: too many included scripts (max \(env.limits.maxIncludes))")
        }
        let script: SieveScript
        if let cached = compiledIncludes[key] {
            script = cached
        } else {
            guard let text = env.loadScript(name, location) else {
                if node.has("optional") { return .next }
                throw LinedError(line: line, message: "included \(location.rawValue) script '\(name)' does not exist")
            }
            do {
                try budget.spend(text.utf8.count / 64) // compiling an included script is work of this run
            } catch {
                throw LinedError(line: line, message: error.message)
            }
            do {
                script = try SieveCompiler.compile(text, name: name, limits: env.limits, extensions: env.extensions)
            } catch {
                throw LinedError(line: line, message: "failed to compile included script '\(name)': \(error.description)")
            }
            compiledIncludes[key] = script
        }
        includedOnce.insert(key)
        includeStack.append(key)
        defer { includeStack.removeLast() }
        let child = Frame()
        let flow = try execute(script, frame: child)
        return flow == .stop ? .stop : .next
    }

    func deleteHeader(_ node: SieveNode, script: SieveScript, frame: Frame) throws(LinedError) {
        let name = strings(node.positional[0], script, frame).first ?? ""
        let keys = node.positional.count > 1 ? strings(node.positional[1], script, frame) : nil
        let matcher = Matcher(type: node.matchType, comparator: Comparator(node.comparator), relation: node.relation, budget: budget)
        var index: Int?
        if case .number(let n)? = node.tags["index"] { index = n }
        // Received and Auto-Submitted are never deleted (RFC 5293 §6; Pigeonhole denies it with a warning).
        if HeaderEdit.protectedFromDeletion.contains(name.lowercased()) { return }
        var positions = edited.headers.indices.filter { edited.headers[$0].name.lowercased() == name.lowercased() }
        if let index {
            let chosen = node.has("last") ? positions.count - index : index - 1
            positions = chosen >= 0 && chosen < positions.count ? [positions[chosen]] : []
        }
        var remove: [Int] = []
        for p in positions {
            if let keys {
                var caps: [String]?
                let hit: Bool
                do { hit = try matcher.matchAny(values: [edited.headers[p].decodedValue], keys: keys, captures: &caps, regexCache: regexCache) } catch {
                    throw LinedError(line: node.line, message: error.message)
                }
                if !hit { continue }
            }
            remove.append(p)
        }
        if !remove.isEmpty {
            for p in remove.reversed() { edited.headers.remove(at: p) }
            edited.edited = true
        }
    }

    // MARK: Tests

    func test(_ node: SieveNode, script: SieveScript, frame: Frame) throws(LinedError) -> Bool {
        do { try budget.spend() } catch { throw LinedError(line: node.line, message: error.message) }
        let s = { (a: SieveArgument?) in self.strings(a, script, frame) }
        switch node.name {
        case "true": return true
        case "false": return false
        case "not": return try !test(node.tests[0], script: script, frame: frame)
        case "allof":
            for t in node.tests where try !test(t, script: script, frame: frame) { return false }
            return true
        case "anyof":
            for t in node.tests where try test(t, script: script, frame: frame) { return true }
            return false
        case "exists":
            return s(node.positional[0]).allSatisfy { !edited.all($0).isEmpty }
        case "size":
            if case .number(let n)? = node.tags["over"] { return message.size > n }
            if case .number(let n)? = node.tags["under"] { return message.size < n }
            return false
        case "mailboxexists":
            return s(node.positional[0]).allSatisfy { env.mailboxExists($0) }
        case "duplicate":
            return duplicate(node, s)
        default:
            break
        }
        let keys = s(node.positional.last)
        let values: [String]
        switch node.name {
        case "header":
            values = s(node.positional[0]).flatMap { headerValues($0, node) }
        case "address":
            values = s(node.positional[0]).flatMap { name in
                headerLines(name, node).flatMap { AddressParts.parse($0.unfolded) }.compactMap { AddressParts.part($0, node.addressPart) }
            }
        case "envelope":
            values = s(node.positional[0]).compactMap { part -> String? in
                let path: String?
                switch part.lowercased() {
                case "from": path = message.envelopeFrom
                case "to": path = message.envelopeTo
                default: path = message.envelopeAuth
                }
                guard let path else { return nil }
                guard let parsed = AddressParts.parsePath(path) else { return node.addressPart == "detail" ? nil : "" }
                return AddressParts.part(parsed, node.addressPart)
            }
        case "string":
            values = s(node.positional[0]).filter { node.matchType != "count" || !$0.isEmpty }
        case "hasflag":
            if node.positional.count == 2 {
                values = flagList(s(node.positional[0]).map { getVariable($0, frame: frame) })
            } else {
                values = internalFlags
            }
        case "body":
            values = bodyValues(node, s)
        case "date", "currentdate":
            guard let v = try dateValue(node, s) else { return false }
            values = [v]
        default:
            throw LinedError(line: node.line, message: "unsupported test '\(node.name)'")
        }
        let matcher = Matcher(type: node.matchType, comparator: Comparator(node.comparator), relation: node.relation, budget: budget)
        var caps: [String]?
        let hit: Bool
        do {
            hit = try matcher.matchAny(values: values, keys: keys, captures: &caps, regexCache: regexCache)
        } catch {
            throw LinedError(line: node.line, message: error.message)
        }
        if hit, let caps, script.extensions.contains("variables") { frame.matches = caps }
        return hit
    }

    func headerLines(_ name: String, _ node: SieveNode) -> [HeaderLine] {
        let all = edited.all(name)
        guard case .number(let n)? = node.tags["index"] else { return all }
        let i = node.has("last") ? all.count - n : n - 1
        return i >= 0 && i < all.count ? [all[i]] : []
    }

    func headerValues(_ name: String, _ node: SieveNode) -> [String] {
        headerLines(name, node).map(\.decodedValue)
    }

    func duplicate(_ node: SieveNode, _ s: (SieveArgument?) -> [String]) -> Bool {
        var value: String?
        if let u = node.tags["uniqueid"] {
            value = s(u).first
        } else {
            let header = node.tags["header"].flatMap { s($0).first } ?? "message-id"
            value = edited.all(header).first.map { String(decoding: $0.unfolded, as: UTF8.self) }
        }
        guard let value else { return false }
        let handle = node.tags["handle"].flatMap { s($0).first } ?? ""
        let id = "\(handle)\u{0}\(value)"
        var seconds = 14 * 86400
        if case .number(let n)? = node.tags["seconds"] { seconds = n }
        let seen = env.duplicateSeen(id, seconds)
        duplicateMarks.append(SieveDuplicateMark(id: id, seconds: seconds))
        return seen
    }

    var structure: MessageStructure {
        if let s = structureCache { return s }
        let s = MessageStructure.parse(edited.original)
        structureCache = s
        return s
    }

    func bodyValues(_ node: SieveNode, _ s: (SieveArgument?) -> [String]) -> [String] {
        if node.has("raw") {
            return [String(decoding: edited.body, as: UTF8.self)]
        }
        let bytes = edited.original
        let st = structure
        let wanted: [String] = node.tags["content"] != nil ? s(node.tags["content"]).map { $0.lowercased() } : ["text"]
        var out: [String] = []
        for part in st.parts {
            let type = String(decoding: part.type, as: UTF8.self).lowercased()
            let subtype = String(decoding: part.subtype, as: UTF8.self).lowercased()
            let full = "\(type)/\(subtype)"
            let selected = wanted.contains { w in w.isEmpty || w == type || w == full }
            guard selected else { continue }
            if part.kind != .leaf && !(type == "multipart" && node.tags["content"] != nil) { continue }
            if part.kind != .leaf {
                out.append(String(decoding: bytes[part.bodyStart..<part.end], as: UTF8.self))
                continue
            }
            let raw = Array(bytes[part.bodyStart..<min(part.end, bytes.count)])
            let encoding = part.encoding.map { String(decoding: $0, as: UTF8.self).lowercased() } ?? "7bit"
            let decoded: [UInt8]
            switch encoding {
            case "base64": decoded = Base64.decode(raw)
            case "quoted-printable": decoded = QuotedPrintable.decode(raw)
            default: decoded = raw
            }
            var text = type == "text" ? Charsets.toUTF8(decoded, charset: part.charset) : String(decoding: decoded, as: UTF8.self)
            if node.tags["content"] == nil && subtype == "html" { text = HTMLText.toText(text) }
            out.append(text)
        }
        return out
    }

    func dateValue(_ node: SieveNode, _ s: (SieveArgument?) -> [String]) throws(LinedError) -> String? {
        var timestamp: Int64
        var offset: Int
        let partIndex: Int
        if node.name == "currentdate" {
            timestamp = Int64(env.now.timeIntervalSince1970.rounded(.down))
            offset = env.localOffsetMinutes
            partIndex = 0
        } else {
            let header = s(node.positional[0]).first ?? ""
            let lines = headerLines(header, node)
            guard let first = lines.first else { return nil }
            var value = first.unfolded
            if header.lowercased() == "received", let semi = value.lastIndex(of: 59) { value = Array(value[(semi + 1)...]) }
            guard let d = RFC5322Date.parse(value) else { return nil }
            timestamp = d.timestamp
            offset = node.has("originalzone") ? d.offsetMinutes : env.localOffsetMinutes
            partIndex = 1
        }
        if case .string(let z)? = node.tags["zone"] {
            guard let o = Self.parseZone(z) else { return nil }
            offset = o
        }
        let part = (s(node.positional[partIndex]).first ?? "").lowercased()
        return Self.datePart(part, timestamp: timestamp, offsetMinutes: offset)
    }

    static func parseZone(_ z: String) -> Int? {
        let u = Array(z.utf8)
        guard u.count == 5, u[0] == 43 || u[0] == 45, let h = Int(String(decoding: u[1...2], as: UTF8.self)),
            let m = Int(String(decoding: u[3...4], as: UTF8.self)), m < 60
        else { return nil }
        return (u[0] == 45 ? -1 : 1) * (h * 60 + m)
    }

    static func datePart(_ part: String, timestamp: Int64, offsetMinutes: Int) -> String? {
        var t = time_t(timestamp + Int64(offsetMinutes) * 60)
        var tm = tm()
        gmtime_r(&t, &tm)
        func p(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let year = p(tm.tm_year + 1900, 4)
        let month = p(tm.tm_mon + 1, 2)
        let day = p(tm.tm_mday, 2)
        let hour = p(tm.tm_hour, 2)
        let minute = p(tm.tm_min, 2)
        let second = p(tm.tm_sec, 2)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let zone = sign + p(Int32(abs(offsetMinutes) / 60), 2) + p(Int32(abs(offsetMinutes) % 60), 2)
        switch part {
        case "year": return year
        case "month": return month
        case "day": return day
        case "date": return "\(year)-\(month)-\(day)"
        case "julian": return String((timestamp + Int64(offsetMinutes) * 60).floorDiv(86400) + 40587)
        case "hour": return hour
        case "minute": return minute
        case "second": return second
        case "time": return "\(hour):\(minute):\(second)"
        case "iso8601":
            return "\(year)-\(month)-\(day)T\(hour):\(minute):\(second)" + (offsetMinutes == 0 ? "Z" : String(zone.prefix(3)) + ":" + zone.suffix(2))
        case "std11":
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(days[Int(tm.tm_wday)]), \(tm.tm_mday) \(months[Int(tm.tm_mon)]) \(year) \(hour):\(minute):\(second) \(zone)"
        case "zone": return zone
        case "weekday": return String(tm.tm_wday)
        default: return nil
        }
    }
}

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { self >= 0 ? self / d : -((-self + d - 1) / d) }
}
