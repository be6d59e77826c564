import NIOCore

/// Parses one framed command (as `IMAPCommandFramer` delivers it: the line, its literals, the final CRLF)
/// into a `TaggedCommand`. Malformed input throws `IMAPParseError`; nothing here traps on client input.
public struct IMAPCommandParser: Sendable {
    public var options: IMAPParserOptions

    public init(options: IMAPParserOptions = IMAPParserOptions()) {
        self.options = options
    }

    public func parse(_ buffer: ByteBuffer) throws(IMAPParseError) -> TaggedCommand {
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<TaggedCommand, IMAPParseError> in
            var cursor = ByteCursor(bytes: bytes, buffer: buffer, options: options)
            var tag: String?
            do throws(IMAPParseError) {
                let parsedTag = try cursor.tag()
                tag = parsedTag
                try cursor.space()
                let command = try cursor.command()
                try cursor.end()
                return .success(TaggedCommand(tag: parsedTag, command: command, undecodableMailboxName: cursor.undecodableName))
            } catch {
                var error = error
                error.tag = tag
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The tag at the start of `buffer`, if it has a valid one: lets the framer answer `tag BAD` for lines it
    /// refuses to buffer.
    public static func tag(of buffer: ByteBuffer) -> String? {
        buffer.withUnsafeReadableBytes { bytes in
            var cursor = ByteCursor(bytes: bytes, buffer: buffer, options: IMAPParserOptions())
            guard let tag = try? cursor.tag(), cursor.current == 0x20 else { return nil }
            return tag
        }
    }
}

extension ByteCursor {
    /// tag = 1*<any ASTRING-CHAR except "+">
    mutating func tag() throws(IMAPParseError) -> String {
        let start = index
        while let byte = current, ByteCursor.isAtomChar(byte) || byte == UInt8(ascii: "]"), byte != UInt8(ascii: "+") {
            index += 1
        }
        guard index > start else { throw fail("Invalid tag") }
        return string(start..<index)
    }

    mutating func command() throws(IMAPParseError) -> IMAPCommand {
        let name = try keyword("a command name")
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .starttls
        case "NAMESPACE": return .namespace
        case "IDLE": return .idle
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "AUTHENTICATE": return try authenticate()
        case "LOGIN":
            try space()
            let username = try astring()
            try space()
            return .login(LoginCredentials(username: username, password: try astring()))
        case "ID": return try id()
        case "ENABLE":
            var capabilities: [String] = []
            repeat {
                try space()
                capabilities.append(try keyword("a capability"))
            } while current == 0x20
            return .enable(capabilities)
        case "SELECT", "EXAMINE":
            try space()
            let mailbox = try mailbox()
            let parameters = try selectParameters()
            return name == "SELECT" ? .select(mailbox: mailbox, parameters) : .examine(mailbox: mailbox, parameters)
        case "CREATE": return try create()
        case "DELETE": return .delete(mailbox: try spaceThenMailbox())
        case "SUBSCRIBE": return .subscribe(mailbox: try spaceThenMailbox())
        case "UNSUBSCRIBE": return .unsubscribe(mailbox: try spaceThenMailbox())
        case "RENAME":
            let from = try spaceThenMailbox()
            return .rename(from: from, to: try spaceThenMailbox())
        case "LIST": return .list(try listCommand())
        case "LSUB":
            try space()
            let reference = try decodeMailbox(try astringBytes())
            try space()
            return .lsub(reference: reference, pattern: try listMailbox())
        case "STATUS":
            let mailbox = try spaceThenMailbox()
            try space()
            return .status(mailbox: mailbox, try statusAttributes())
        case "APPEND": return try append()
        case "SEARCH", "SORT", "THREAD", "FETCH", "STORE", "COPY", "MOVE":
            return try selectedCommand(name, uid: false)
        case "UID":
            try space()
            let subcommand = try keyword("a UID command")
            if subcommand == "EXPUNGE" {
                try space()
                return .uidExpunge(try sequenceSet())
            }
            return try selectedCommand(subcommand, uid: true)
        case "GETQUOTA":
            try space()
            return .getQuota(root: try astring())
        case "GETQUOTAROOT": return .getQuotaRoot(mailbox: try spaceThenMailbox())
        case "SETQUOTA": return try setQuota()
        case "COMPRESS":
            try space()
            return .compress(mechanism: try keyword("a compression mechanism"))
        case "NOTIFY": return .notify(try notify())
        case "CANCELUPDATE":
            var tags: [String] = []
            repeat {
                try space()
                tags.append(try string())
            } while current == 0x20
            return .cancelUpdate(tags: tags)
        case "GETMETADATA": return try getMetadata()
        case "SETMETADATA": return try setMetadata()
        default: throw fail("Unknown command")
        }
    }

    mutating func spaceThenMailbox() throws(IMAPParseError) -> String {
        try space()
        return try mailbox()
    }

    private mutating func selectedCommand(_ name: String, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        guard ["SEARCH", "SORT", "THREAD", "FETCH", "STORE", "COPY", "MOVE"].contains(name) else {
            throw fail("Unknown UID command")
        }
        try space()
        switch name {
        case "SEARCH": return .search(try searchCommand(), uid: uid)
        case "SORT": return .sort(try sortCommand(), uid: uid)
        case "THREAD": return .thread(try threadCommand(), uid: uid)
        case "FETCH":
            let set = try sequenceSet()
            try space()
            let attributes = try fetchAttributes()
            return .fetch(set, attributes, try fetchModifiers(), uid: uid)
        case "STORE": return try store(uid: uid)
        case "COPY", "MOVE":
            let set = try sequenceSet()
            let mailbox = try spaceThenMailbox()
            return name == "COPY" ? .copy(set, mailbox: mailbox, uid: uid) : .move(set, mailbox: mailbox, uid: uid)
        default: throw fail("Unknown UID command")
        }
    }

    // MARK: Not authenticated / any state

    private mutating func authenticate() throws(IMAPParseError) -> IMAPCommand {
        try space()
        let mechanism = try keyword("a SASL mechanism")
        guard take(0x20) else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        // SASL-IR (RFC 4959): base64 or "=" for an empty response.
        let start = index
        while let byte = current, isBase64(byte) { index += 1 }
        guard index > start else { throw fail("Invalid SASL initial response") }
        return .authenticate(mechanism: mechanism, initialResponse: string(start..<index))
    }

    private func isBase64(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }

    private mutating func id() throws(IMAPParseError) -> IMAPCommand {
        try space()
        if takeWord("NIL") { return .id(nil) }
        var parameters: [IDParameter] = []
        try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
            let key = try cursor.string()
            try cursor.space()
            parameters.append(IDParameter(key: key, value: try cursor.nstring()))
        }
        guard parameters.count <= 30 else { throw fail("Too many ID parameters") }
        return .id(parameters)
    }

    // MARK: Mailbox commands

    private mutating func selectParameters() throws(IMAPParseError) -> SelectParameters {
        var parameters = SelectParameters()
        guard take(0x20) else { return parameters }
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            switch try cursor.keyword("a SELECT parameter") {
            case "CONDSTORE": parameters.condstore = true
            case "QRESYNC":
                try cursor.space()
                parameters.qresync = try cursor.qresyncParameters()
            default: throw cursor.fail("Unknown SELECT parameter")
            }
        }
        return parameters
    }

    private mutating func qresyncParameters() throws(IMAPParseError) -> QResyncParameters {
        try open()
        let uidValidity = try nzNumber("a UIDVALIDITY")
        try space()
        var result = QResyncParameters(uidValidity: uidValidity, modSeq: try number64("a mod-sequence"))
        if take(0x20) {
            if current != UInt8(ascii: "(") {
                result.knownUIDs = try sequenceSet()
                if take(0x20) { result.knownSequenceMatch = try sequenceMatch() }
            } else {
                result.knownSequenceMatch = try sequenceMatch()
            }
        }
        try close()
        return result
    }

    private mutating func sequenceMatch() throws(IMAPParseError) -> (sequences: SequenceSet, uids: SequenceSet) {
        try open()
        let sequences = try sequenceSet()
        try space()
        let uids = try sequenceSet()
        try close()
        return (sequences, uids)
    }

    private mutating func create() throws(IMAPParseError) -> IMAPCommand {
        let mailbox = try spaceThenMailbox()
        var specialUse: [String] = []
        if take(0x20) {
            // RFC 6154: CREATE name (USE (\Drafts …))
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                guard cursor.takeWord("USE") else { throw cursor.fail("Unknown CREATE parameter") }
                try cursor.space()
                try cursor.list { (inner: inout ByteCursor) throws(IMAPParseError) in specialUse.append(try inner.flag()) }
            }
        }
        return .create(mailbox: mailbox, specialUse: specialUse)
    }

    private mutating func listCommand() throws(IMAPParseError) -> ListCommand {
        try space()
        var selection: [ListSelectionOption] = []
        if current == UInt8(ascii: "(") {
            try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
                switch try cursor.keyword("a LIST selection option") {
                case "SUBSCRIBED": selection.append(.subscribed)
                case "REMOTE": selection.append(.remote)
                case "RECURSIVEMATCH": selection.append(.recursiveMatch)
                case "SPECIAL-USE": selection.append(.specialUse)
                // RFC 5258 §3: an unrecognized selection option is an error (BAD), as Dovecot answers it.
                case let other: throw cursor.fail("Unknown LIST selection option \(other)")
                }
            }
            try space()
        }
        // A reference or pattern that is not valid mUTF-7 matches nothing (Dovecot lists the other patterns): such
        // patterns are left out, and the command is not refused for them.
        let reference = try matchingName { (cursor: inout ByteCursor) throws(IMAPParseError) in try cursor.decodeMailbox(try cursor.astringBytes()) }
        try space()
        var patterns: [String?] = []
        if current == UInt8(ascii: "(") {
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                patterns.append(try cursor.matchingName { (inner: inout ByteCursor) throws(IMAPParseError) in try inner.listMailbox() })
            }
        } else {
            patterns.append(try matchingName { (cursor: inout ByteCursor) throws(IMAPParseError) in try cursor.listMailbox() })
        }
        var returns: [ListReturnOption] = []
        if take(0x20) {
            guard takeWord("RETURN") else { throw fail("Expected RETURN") }
            try space()
            try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
                switch try cursor.keyword("a LIST return option") {
                case "SUBSCRIBED": returns.append(.subscribed)
                case "CHILDREN": returns.append(.children)
                case "SPECIAL-USE": returns.append(.specialUse)
                case "STATUS":
                    try cursor.space()
                    returns.append(.status(try cursor.statusAttributes()))
                // RFC 5258 §3: so is an unrecognized return option.
                case let other: throw cursor.fail("Unknown LIST return option \(other)")
                }
            }
        }
        if selection.contains(.recursiveMatch) && selection.allSatisfy({ $0 == .recursiveMatch || $0 == .remote }) {
            throw fail("RECURSIVEMATCH needs another selection option")
        }
        return ListCommand(
            selectionOptions: selection, reference: reference ?? "",
            patterns: reference == nil ? [] : patterns.compactMap { $0 }, returnOptions: returns)
    }

    mutating func statusAttributes() throws(IMAPParseError) -> [StatusAttribute] {
        var attributes: [StatusAttribute] = []
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            guard let attribute = StatusAttribute(rawValue: try cursor.keyword("a STATUS item")) else {
                throw cursor.fail("Unknown STATUS item")
            }
            attributes.append(attribute)
        }
        return attributes
    }

    // MARK: APPEND (MULTIAPPEND, CATENATE, BINARY, UTF8)

    private mutating func append() throws(IMAPParseError) -> IMAPCommand {
        let mailbox = try spaceThenMailbox()
        var messages: [AppendMessage] = []
        while take(0x20) {
            var message = AppendMessage(content: .catenate([]))
            if current == UInt8(ascii: "(") {
                message.flags = try flagList()
                try space()
            }
            if current == UInt8(ascii: "\"") {
                message.internalDate = try dateTime()
                try space()
            }
            message.content = try appendData()
            messages.append(message)
        }
        guard !messages.isEmpty else { throw fail("Missing message to append") }
        return .append(mailbox: mailbox, messages)
    }

    private mutating func appendData() throws(IMAPParseError) -> AppendContent {
        if current == UInt8(ascii: "{") || current == UInt8(ascii: "~") {
            let (data, binary) = try literal(allowBinary: true)
            return .literal(data, binary: binary, utf8: false)
        }
        if takeWord("UTF8") {
            try space()
            try open()
            let (data, binary) = try literal(allowBinary: true)
            try close()
            return .literal(data, binary: binary, utf8: true)
        }
        if takeWord("CATENATE") {
            try space()
            var parts: [CatenatePart] = []
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                switch try cursor.keyword("URL or TEXT") {
                case "URL":
                    try cursor.space()
                    parts.append(.url(try cursor.astring()))
                case "TEXT":
                    try cursor.space()
                    let (data, binary) = try cursor.literal(allowBinary: true)
                    parts.append(.text(data, binary: binary))
                default: throw cursor.fail("Unknown CATENATE part")
                }
            }
            return .catenate(parts)
        }
        throw fail("Expected a literal with the message")
    }

    // MARK: STORE

    private mutating func store(uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        let set = try sequenceSet()
        try space()
        var unchangedSince: UInt64?
        if current == UInt8(ascii: "(") {
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                guard cursor.takeWord("UNCHANGEDSINCE") else { throw cursor.fail("Unknown STORE modifier") }
                try cursor.space()
                unchangedSince = try cursor.number64("a mod-sequence")
            }
            try space()
        }
        let mode: StoreOperation.Mode = take(UInt8(ascii: "+")) ? .add : take(UInt8(ascii: "-")) ? .remove : .replace
        let silent: Bool
        switch try keyword("FLAGS") {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        default: throw fail("Expected FLAGS, +FLAGS or -FLAGS")
        }
        try space()
        var flags: [String] = []
        if current == UInt8(ascii: "(") {
            flags = try flagList()
        } else {
            repeat { flags.append(try flag()) } while take(0x20)
        }
        return .store(set, StoreOperation(mode: mode, silent: silent, flags: flags), unchangedSince: unchangedSince, uid: uid)
    }

    // MARK: QUOTA, NOTIFY, METADATA

    private mutating func setQuota() throws(IMAPParseError) -> IMAPCommand {
        try space()
        let root = try astring()
        try space()
        var limits: [QuotaLimit] = []
        try list { (cursor: inout ByteCursor) throws(IMAPParseError) in
            let resource = try cursor.keyword("a quota resource")
            try cursor.space()
            limits.append(QuotaLimit(resource: resource, limit: try cursor.number64("a quota limit")))
        }
        return .setQuota(root: root, limits)
    }

    private mutating func notify() throws(IMAPParseError) -> NotifyCommand {
        try space()
        if takeWord("NONE") { return .none }
        guard takeWord("SET") else { throw fail("Expected NOTIFY SET or NOTIFY NONE") }
        var status = false
        var groups: [NotifyEventGroup] = []
        while take(0x20) {
            if takeWord("STATUS") {
                guard groups.isEmpty, !status else { throw fail("STATUS must come first") }
                status = true
                continue
            }
            groups.append(try notifyEventGroup())
        }
        guard !groups.isEmpty else { throw fail("Missing NOTIFY event groups") }
        return .set(status: status, groups: groups)
    }

    private mutating func notifyEventGroup() throws(IMAPParseError) -> NotifyEventGroup {
        try open()
        let filter = try keyword("a NOTIFY filter")
        var group = NotifyEventGroup(filter: filter, events: [])
        switch filter {
        case "SELECTED", "SELECTED-DELAYED", "INBOXES", "PERSONAL", "SUBSCRIBED": break
        case "SUBTREE", "MAILBOXES":
            try space()
            if current == UInt8(ascii: "(") {
                // RFC 5465 §6.6: a mailbox that cannot exist is no error; one whose name does not decode just never matches.
                try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                    if let name = try cursor.matchingName({ (inner: inout ByteCursor) throws(IMAPParseError) in try inner.mailbox() }) {
                        group.mailboxes.append(name)
                    }
                }
            } else if let name = try matchingName({ (cursor: inout ByteCursor) throws(IMAPParseError) in try cursor.mailbox() }) {
                group.mailboxes.append(name)
            }
        default: throw fail("Unknown NOTIFY filter")
        }
        try space()
        if takeWord("NONE") {
            try close()
            return group
        }
        // RFC 5465's grammar puts the events in parentheses, its examples do not: accept both.
        let parenthesised = current == UInt8(ascii: "(")
        if parenthesised { try open() }
        repeat {
            let event = try keyword("a NOTIFY event")
            group.events.append(event)
            if event == "MESSAGENEW", current == 0x20, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "(") {
                index += 1
                group.messageNewFetch = try fetchAttributeList()
            }
        } while take(0x20)
        if parenthesised { try close() }
        try close()
        return group
    }

    private mutating func getMetadata() throws(IMAPParseError) -> IMAPCommand {
        try space()
        var options = MetadataOptions()
        if current == UInt8(ascii: "(") {
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
                switch try cursor.keyword("a GETMETADATA option") {
                case "MAXSIZE":
                    try cursor.space()
                    options.maxSize = try cursor.number()
                case "DEPTH":
                    try cursor.space()
                    if cursor.takeWord("INFINITY") {
                        options.depth = nil
                    } else {
                        let depth = try cursor.number()
                        guard depth <= 1 else { throw cursor.fail("DEPTH must be 0, 1 or infinity") }
                        options.depth = depth
                    }
                default: throw cursor.fail("Unknown GETMETADATA option")
                }
            }
            try space()
        }
        let mailbox = try metadataMailbox()
        try space()
        var entries: [String] = []
        if current == UInt8(ascii: "(") {
            try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in entries.append(try cursor.astring()) }
        } else {
            entries.append(try astring())
        }
        return .getMetadata(mailbox: mailbox, options: options, entries: entries)
    }

    private mutating func setMetadata() throws(IMAPParseError) -> IMAPCommand {
        try space()
        let mailbox = try metadataMailbox()
        try space()
        var entries: [MetadataEntry] = []
        try list(allowEmpty: false) { (cursor: inout ByteCursor) throws(IMAPParseError) in
            let name = try cursor.astring()
            try cursor.space()
            entries.append(MetadataEntry(name: name, value: try cursor.nstringBuffer(allowBinary: true)))
        }
        return .setMetadata(mailbox: mailbox, entries)
    }

    /// METADATA uses "" for the server entries, which is not a valid mailbox name otherwise.
    private mutating func metadataMailbox() throws(IMAPParseError) -> String {
        try mailbox()
    }
}
