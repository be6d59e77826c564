import Auth
import Foundation
import IMAPProtocol
import Logging
import NIOCore
import ObjectMail

/// One IMAP connection: the state machine (not authenticated → authenticated → selected → logout)
/// running as one task, so commands run strictly in order and storage calls simply await.
actor IMAPSession {
    static let preLoginCapabilities = ["IMAP4rev1", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "AUTH=PLAIN", "AUTH=LOGIN"]
    /// Post-login capabilities: exactly what the session implements (Tests/EndToEnd/test_imap_capabilities.py
    /// checks each one against a command that uses it).
    static let capabilities = [
        "IMAP4rev1", "IMAP4rev2", "UTF8=ACCEPT", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS",
        "MOVE", "UNSELECT", "CHILDREN", "SPECIAL-USE", "CREATE-SPECIAL-USE", "LIST-EXTENDED",
        "LIST-STATUS", "CONDSTORE", "QRESYNC", "ESEARCH",
        "ESORT", "SEARCHRES", "WITHIN", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT",
        "THREAD=REFERENCES", "THREAD=REFS", "I18NLEVEL=1", "MULTIAPPEND", "STATUS=SIZE", "SAVEDATE", "BINARY", "PREVIEW",
        "COMPRESS=DEFLATE",
        "NOTIFY", "CONTEXT=SEARCH", "CONTEXT=SORT",
        "CATENATE", "URL-PARTIAL", "SNIPPET=FUZZY", "PREVIEW=FUZZY"
    ]

    let channel: any Channel
    let connection: ConnectionContext
    let authenticator: Authenticator
    let storage: MailStorage
    let traffic: TrafficCounter
    let inputs: AsyncStream<IMAPSessionInput>.Continuation
    let userIPConnections: UserIPConnections
    /// A fresh command framer, for STARTTLS (which drops the old one with any clear text it holds).
    let makeFramer: @Sendable () -> any ChannelHandler
    /// Tells the framer (the current one and any built after STARTTLS or COMPRESS) that the client logged in.
    let framerControl: IMAPFramerControl
    /// TLS state and the client's address (the socket's, or a trusted proxy's forwarded one).
    var transport: SessionTransport
    let configuration: IMAPConfiguration
    var statistics = IMAPSessionStatistics()
    let connectedAt = ContinuousClock.now
    /// When the last command arrived, for the inactivity timeouts.
    var lastInput = ContinuousClock.now
    /// Bytes received as of the last inactivity check: a long literal still arriving is activity too.
    var receivedAtLastCheck = 0
    var inactivityTimer: RepeatedTask?
    /// Commands that could not be parsed or were not allowed, for Dovecot's CLIENT_MAX_BAD_COMMANDS.
    var invalidCommands = 0
    /// Failed authentications and the last user name and mechanism tried, for the line imap-login logs.
    var failedLogins = 0
    var lastLoginAttempt: (user: String, method: String)?
    /// The key this session counts under in `userIPConnections`, once logged in.
    var userIPKey: String?
    /// Marks this session's own changes in `MailEvent`s.
    let id = UUID()
    var logger: Logger
    var encoder = IMAPResponseEncoder()
    var parser = IMAPCommandParser()
    var output = ByteBuffer()

    var state = IMAPSessionState.initial
    /// The command being executed, whose traits decide what untagged responses may go out meanwhile.
    var running: CommandTraits?
    /// An APPEND whose large literals are being received into spool files, and then executed with them.
    var spooledAppend: SpooledAppend?
    /// CONDSTORE (RFC 7162) is on: every FETCH with FLAGS also carries MODSEQ.
    var condstore = false
    /// QRESYNC (RFC 7162) is on: expunges are reported as VANISHED, SELECT takes (QRESYNC …).
    var qresync = false
    /// A VANISHED went out since the last tagged answer that told HIGHESTMODSEQ (`highestModSeqCode`).
    var vanishedReported = false
    /// IMAP4rev2 (RFC 9051) is on: no \Recent, SEARCH answers in ESEARCH form, LIST in SELECT, UTF-8 names.
    var imap4rev2 = false
    /// NOTIFY (RFC 5465) as last set; nil until the client sends one (then the classic IMAP rules apply).
    var notification: NotificationState?

    init(
        channel: any Channel, connection: ConnectionContext, authenticator: Authenticator, storage: MailStorage,
        traffic: TrafficCounter, inputs: AsyncStream<IMAPSessionInput>.Continuation, userIPConnections: UserIPConnections,
        makeFramer: @escaping @Sendable () -> any ChannelHandler, framerControl: IMAPFramerControl,
        configuration: IMAPConfiguration
    ) {
        self.makeFramer = makeFramer
        self.framerControl = framerControl
        self.transport = SessionTransport(connection)
        self.userIPConnections = userIPConnections
        self.configuration = configuration
        self.channel = channel
        self.connection = connection
        self.authenticator = authenticator
        self.storage = storage
        self.traffic = traffic
        self.inputs = inputs
        // Dovecot's prefix: imap(user)<session>.
        var logger = Logger(label: "imap")
        logger[metadataKey: "session"] = "\(connection.sessionID)"
        self.logger = logger
    }

    func run(_ stream: AsyncStream<IMAPSessionInput>) async {
        for await input in stream {
            switch input {
            case .connected:
                encoder.writeUntagged(.ok, code: .capability(preLoginCapabilityList), "ObjectMail ready.", into: &output)
                scheduleInactivityCheck()
            case .frame(let frame):
                lastInput = .now
                traffic.frameTaken(from: channel)
                guard transport.accepts() else { continue }
                // Every command (and every AUTHENTICATE or IDLE continuation) gets mail_operation_deadline.
                await storage.configuration.withinDeadline { await MailLogContext.$sessionLogger.withValue(logger) { await handle(frame) } }
            case .mailboxChanged: if idling { await synchronize(newMail: true) }
            case .notification(let event): await notificationArrived(event)
            case .idleKeepalive: if idling { encoder.writeUntagged(.ok, "Still here", into: &output) }
            case .tlsEstablished: transport.handshakeCompleted(logger: logger)
            case .inactivityCheck: checkInactivity()
            case .shutdown: shutDown()
            }
            if loggingOut { break }
            flush()
        }
        inactivityTimer?.cancel()
        // A connection dropped in the middle of a large APPEND: its spool files go now (they are already unlinked).
        spooledAppend = nil
        await endIdle()
        await stopNotifications()
        // The last answer (BYE) must be on the wire before the socket closes.
        if output.readableBytes > 0 { try? await channel.writeAndFlush(output).get() }
        logEnd()
        if let userIPKey { userIPConnections.release(userIPKey) }
        try? await channel.close()
        // As Dovecot at the end of a mail session: after the client is gone, so it never waits for it.
        if let user { await MailLogContext.$sessionLogger.withValue(logger) { _ = await user.autoexpunge() } }
    }

    // MARK: - Input

    private func handle(_ frame: IMAPFrame) async {
        switch frame {
        case .continuationRequest:
            break
        case .spooledLiteral(let prefix, let length, let synchronizing):
            await spooledLiteralBegins(prefix: prefix, length: length, synchronizing: synchronizing)
        case .literalData(let piece):
            await literalDataArrived(piece)
        case .rejected(let error):
            spooledAppend = nil
            let answer = {
                if let tag = error.tag {
                    self.encoder.writeTagged(tag, error.status, code: error.code, error.message, into: &self.output)
                } else {
                    self.encoder.writeUntagged(error.status, code: error.code, error.message, into: &self.output)
                }
            }
            if error.closeConnection {
                answer()
                if error.status != .bye { encoder.writeUntagged(.bye, "Too much input", into: &output) }
                end(.closedByServer(error.status == .bye ? error.message : "Too much input"))
            } else if error.status == .bad {
                invalidCommand(answer)
            } else {
                answer()
            }
        case .command(let buffer), .line(let buffer):
            if idling { return await idleInput(buffer) }
            if let pending = state.pendingAuthentication {
                state = .initial
                return await authenticateResponse(pending, line: Self.line(buffer))
            }
            // The spool files stay with the session until the APPEND is done; dropping them deletes them.
            let buffer = await completingSpooledAppend(buffer)
            defer { spooledAppend = nil }
            let command: TaggedCommand
            do {
                command = try parser.parse(buffer)
            } catch {
                return invalidCommand {
                    encoder.writeTagged(error.tag ?? "*", .bad, "Error in IMAP command: \(error.message)", into: &output)
                }
            }
            if let failure = spooledAppend?.failure {
                logger.error("spooling an APPEND to \(configuration.spool.directory) failed: \(failure)")
                return tagged(command.tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
            }
            await execute(
                TaggedCommand(
                    tag: command.tag, command: applyingWorkarounds(command.command),
                    undecodableMailboxName: command.undecodableMailboxName))
            notification?.polling = false
            // Logged in, Dovecot counts invalid commands in a row: one that parsed ends the run.
            if user != nil { invalidCommands = 0 }
        }
    }

    static func line(_ buffer: ByteBuffer) -> String {
        // Bytes, not characters: "\r\n" is one Character in Swift.
        var bytes = Array(buffer.readableBytesView)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes what is buffered; called after each command and during long FETCH answers.
    func flush() {
        guard output.readableBytes > 0 else { return }
        channel.writeAndFlush(output, promise: nil)
        output = channel.allocator.buffer(capacity: 1024)
    }

    func tagged(_ tag: String, _ status: ResponseStatus, code: ResponseCode? = nil, _ text: String) {
        encoder.writeTagged(tag, status, code: code, text, into: &output)
    }

    // MARK: - Dispatch

    private func execute(_ tagged: TaggedCommand) async {
        let started = ContinuousClock.now
        defer { ServerMetrics.imapCommand(tagged.command.commandName, elapsed: started.duration(to: .now)) }
        let traits = tagged.command.traits
        notification?.polling = traits.solicitsUpdates
        running = traits
        defer { running = nil }
        switch traits.state {
        case .any, .notAuthenticated:
            await executeInAnyState(tagged)
        case .authenticated, .selected:
            guard let user else {
                return invalidCommand { self.tagged(tagged.tag, .bad, "\(tagged.command.name): Not logged in.") }
            }
            if refusedForUndecodableName(tagged) { return }
            do {
                if traits.state == .authenticated {
                    try await executeAuthenticated(tagged, user: user)
                } else {
                    guard selected != nil else { return notSelected(tagged.tag) }
                    try await executeSelected(tagged, user: user)
                }
            } catch {
                fail(tagged.tag, error, command: tagged.command)
            }
        }
    }

    /// The commands of RFC 9051 §6.1 and §6.2, which need no login (and those of §6.2 refuse one).
    private func executeInAnyState(_ tagged: TaggedCommand) async {
        let tag = tagged.tag
        switch tagged.command {
        case .capability:
            encoder.writeCapability(user == nil ? preLoginCapabilityList : postLoginCapabilities, into: &output)
            self.tagged(tag, .ok, "Capability completed.")
        case .noop:
            await synchronize(newMail: true)
            self.tagged(tag, .ok, code: highestModSeqCode(always: false), "NOOP completed.")
        case .logout:
            encoder.writeUntagged(.bye, "Logging out", into: &output)
            self.tagged(tag, .ok, "Logout completed.")
            end(.loggedOut)
        case .id(let parameters):
            acceptForwardedID(parameters)
            encoder.writeID([IDParameter(key: "name", value: "ObjectMail")], into: &output)
            self.tagged(tag, .ok, "ID completed.")
        case .starttls:
            await startTLS(tag: tag)
        case .login(let credentials):
            guard user == nil else { return self.tagged(tag, .bad, "Already logged in.") }
            guard checkPlaintextAuth(tag) else { return }
            await login(tag: tag, user: credentials.username, password: credentials.password, mechanism: "PLAIN")
        case .authenticate(let mechanism, let initialResponse):
            guard user == nil else { return self.tagged(tag, .bad, "Already logged in.") }
            guard checkPlaintextAuth(tag) else { return }
            guard let exchange = SASLExchange(mechanism: mechanism, offeredBy: authenticator) else {
                return self.tagged(tag, .no, "Unsupported authentication mechanism.")
            }
            await startAuthentication(PendingAuthentication(tag: tag, exchange: exchange), initialResponse: initialResponse)
        default:
            assertionFailure("\(tagged.command.name) needs a login: the command table says so")
        }
    }

    /// The commands of RFC 9051 §6.3.
    private func executeAuthenticated(_ tagged: TaggedCommand, user: MailUser) async throws {
        let tag = tagged.tag
        switch tagged.command {
        case .enable(let extensions):
            enable(tag: tag, extensions)
        case .namespace:
            encoder.writeNamespace(
                personal: [NamespaceDescription(prefix: "", delimiter: MailboxName.separator)],
                otherUsers: [], shared: [], into: &output)
            self.tagged(tag, .ok, "Namespace completed.")
        case .select(let mailbox, let parameters):
            try await select(tag: tag, mailbox: mailbox, readOnly: false, parameters: parameters, user: user)
        case .examine(let mailbox, let parameters):
            try await select(tag: tag, mailbox: mailbox, readOnly: true, parameters: parameters, user: user)
        case .create(let mailbox, let specialUse):
            try await create(tag: tag, mailbox: mailbox, specialUse: specialUse, user: user)
        case .delete(let mailbox):
            try await delete(tag: tag, mailbox: mailbox, user: user)
        case .rename(let from, let to):
            try await rename(tag: tag, from: from, to: to, user: user)
        case .subscribe(let mailbox):
            try await subscribe(tag: tag, mailbox: mailbox, true, user: user)
        case .unsubscribe(let mailbox):
            try await subscribe(tag: tag, mailbox: mailbox, false, user: user)
        case .list(let command):
            try await list(command, user: user)
            self.tagged(tag, .ok, "List completed.")
        case .lsub(let reference, let pattern):
            try await list(
                ListCommand(selectionOptions: [.subscribed], reference: reference, patterns: [pattern]),
                user: user, lsub: true)
            self.tagged(tag, .ok, "Lsub completed.")
        case .status(let mailbox, let attributes):
            try await status(mailbox: mailbox, attributes: attributes, user: user)
            self.tagged(tag, .ok, "Status completed.")
        case .append(let mailbox, let messages):
            try await append(tag: tag, mailbox: mailbox, messages: messages, user: user)
        case .idle:
            await startIdle(tag: tag, user: user)
        case .compress(let mechanism):
            await compress(tag: tag, mechanism: mechanism)
        case .notify(let command):
            await notify(tag: tag, command, user: user)
        case .getQuotaRoot(let mailbox):
            try await getQuotaRoot(tag: tag, mailbox: mailbox, user: user)
        case .getQuota(let root):
            try await getQuota(tag: tag, root: root, user: user)
        case .setQuota:
            self.tagged(tag, .no, code: .noPermission, "Quota can't be changed over IMAP.")
        default:
            self.tagged(tag, .bad, "Unknown command \(tagged.command.name).")
        }
    }

    /// The commands of RFC 9051 §6.4.
    private func executeSelected(_ tagged: TaggedCommand, user: MailUser) async throws {
        let tag = tagged.tag
        if case .check = tagged.command {
            // RFC 3501's CHECK is a NOOP here (RFC 9051 dropped it): no housekeeping is ever pending.
            await synchronize(newMail: true)
            return self.tagged(tag, .ok, code: highestModSeqCode(always: false), "CHECK completed.")
        }
        // Commands work on the current state: new messages and flags first (removals wait, §7.4.1).
        await synchronize(allowExpunge: false)
        guard let view = selected?.view else { return self.tagged(tag, .no, "Selected mailbox was deleted.") }
        if let (set, byUID) = Self.sequenceSet(of: tagged.command), !view.isValid(set, byUID: byUID) {
            return self.tagged(tag, .bad, "Error in IMAP command \(tagged.command.name): Invalid messageset")
        }
        switch tagged.command {
        case .close:
            if let selected, !selected.readOnly {
                let result = try await user.expungeDeletedMessages(in: selected.mailbox, origin: id)
                statistics.expunged += result.expungedUIDs.count
            }
            selected = nil
            self.tagged(tag, .ok, "Close completed.")
        case .unselect:
            selected = nil
            self.tagged(tag, .ok, "Unselect completed.")
        case .expunge:
            try await expunge(tag: tag, only: nil, user: user)
        case .uidExpunge(let set):
            try await expunge(tag: tag, only: set, user: user)
        case .search(let command, let uid):
            try await search(tag: tag, command, byUID: uid, user: user)
        case .fetch(let set, let attributes, let modifiers, let uid):
            guard !modifiers.vanished || (uid && qresync) else {
                return self.tagged(tag, .bad, "VANISHED needs UID FETCH and ENABLE QRESYNC.")
            }
            if modifiers.vanished, let since = modifiers.changedSince { try await writeVanishedEarlier(set, since: since, user: user) }
            let outcome = try await fetch(set, attributes: attributes, changedSince: modifiers.changedSince, byUID: uid, user: user)
            await synchronize()
            if !outcome.decodable {
                self.tagged(tag, .no, code: .unknownCTE, "Unknown Content-Transfer-Encoding.")
            } else if outcome.skippedExpunged {
                self.tagged(tag, .ok, code: .expungeIssued, "Some messages were already expunged.")
            } else {
                self.tagged(tag, .ok, "Fetch completed.")
            }
        case .store(let set, let operation, let unchangedSince, let uid):
            try await store(tag: tag, set, operation, unchangedSince: unchangedSince, byUID: uid, user: user)
        case .copy(let set, let mailbox, let uid):
            try await copy(tag: tag, set, to: mailbox, byUID: uid, move: false, user: user)
        case .move(let set, let mailbox, let uid):
            try await copy(tag: tag, set, to: mailbox, byUID: uid, move: true, user: user)
        case .sort(let command, let uid):
            try await sort(tag: tag, command, byUID: uid, user: user)
        case .thread(let command, let uid):
            try await thread(tag: tag, command, byUID: uid, user: user)
        case .cancelUpdate(let tags):
            cancelUpdate(tag: tag, tags)
        default:
            self.tagged(tag, .bad, "Unknown command \(tagged.command.name).")
        }
    }

    /// The message set a command works on, for checking it before anything runs.
    static func sequenceSet(of command: IMAPCommand) -> (SequenceSet, Bool)? {
        switch command {
        case .fetch(let set, _, _, let uid), .store(let set, _, _, let uid), .copy(let set, _, let uid), .move(let set, _, let uid):
            return (set, uid)
        default:
            return nil
        }
    }

    func notSelected(_ tag: String) {
        tagged(tag, .bad, "No mailbox selected.")
    }

    /// The tagged NO for a failed command, with the response code a client can act on.
    func fail(_ tag: String, _ error: any Error, command: IMAPCommand) {
        guard let storageError = error as? StorageError else {
            logger.error("\(command.name) failed: \(error)")
            return tagged(tag, .no, code: .serverBug, "Internal error occurred. Refer to server log for more information.")
        }
        switch storageError {
        case .mailboxNotFound(_, let mailbox):
            switch command {
            case .append, .copy, .move:
                tagged(tag, .no, code: .tryCreate, "Mailbox doesn't exist: \(mailbox)")
            default:
                tagged(tag, .no, code: .nonExistent, "Mailbox doesn't exist: \(mailbox)")
            }
        case .mailboxExists:
            tagged(tag, .no, code: .alreadyExists, "Mailbox already exists")
        case .notAllowed(_, _, let reason):
            tagged(tag, .no, code: .cannot, reason)
        case .invalidName(let name, let reason):
            tagged(tag, .no, code: .cannot, "Invalid mailbox name \(name): \(reason)")
        case .quotaExceeded(_, _, let message):
            tagged(tag, .no, code: .overQuota, message)
        case .store, .index:
            logger.error("\(command.name) failed: \(storageError)")
            if storageError.isTemporary {
                tagged(tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
            } else {
                tagged(tag, .no, code: .serverBug, "Internal error occurred. Refer to server log for more information.")
            }
        }
    }
}
