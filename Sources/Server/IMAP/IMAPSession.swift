import Auth
import Foundation
import IMAPProtocol
import Logging
import MetaCache
import NIOCore
import ObjectMail

/// One IMAP connection: the state machine (not authenticated → authenticated → selected → logout)
/// running as one task, so commands run strictly in order and storage calls simply await.
actor IMAPSession {
    static let preLoginCapabilities = ["IMAP4rev1", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "AUTH=PLAIN", "AUTH=LOGIN"]
    static let capabilities = ["IMAP4rev1", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS",
                               "MOVE", "UNSELECT", "CHILDREN", "SPECIAL-USE", "CONDSTORE", "ESEARCH",
                               "MULTIAPPEND", "STATUS=SIZE", "SAVEDATE"]

    /// Keeps NAT gateways and clients from dropping an idling connection.
    static let idleNotifyInterval = Duration.seconds(120)

    let channel: any Channel
    let connection: ConnectionContext
    let authenticator: Authenticator
    let storage: MailStorage
    let traffic: TrafficCounter
    let inputs: AsyncStream<IMAPSessionInput>.Continuation
    let userIPConnections: UserIPConnections
    /// The key this session counts under in `userIPConnections`, once logged in.
    var userIPKey: String?
    /// Marks this session's own changes in `MailEvent`s.
    let id = UUID()
    var logger: Logger
    let encoder = IMAPResponseEncoder()
    let parser = IMAPCommandParser()
    var output = ByteBuffer()

    var userName: String?
    var user: MailUser?
    var selected: SelectedMailbox?
    /// AUTHENTICATE waiting for the client's response line.
    var pendingAuthentication: PendingAuthentication?
    var idle: IdleState?
    var loggingOut = false
    /// CONDSTORE (RFC 7162) is on: every FETCH with FLAGS also carries MODSEQ.
    var condstore = false

    init(channel: any Channel, connection: ConnectionContext, authenticator: Authenticator, storage: MailStorage,
         traffic: TrafficCounter, inputs: AsyncStream<IMAPSessionInput>.Continuation, userIPConnections: UserIPConnections) {
        self.userIPConnections = userIPConnections
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
                encoder.writeUntagged(.ok, code: .capability(Self.preLoginCapabilities), "ObjectMail ready.", into: &output)
            case .frame(let frame):
                if traffic.queuedFrames.subtract(1, ordering: .relaxed).newValue == TrafficCounter.maxQueuedFrames / 2 {
                    channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                }
                await handle(frame)
            case .mailboxChanged: if idle != nil { await synchronize(allowExpunge: true) }
            case .idleKeepalive: if idle != nil { encoder.writeUntagged(.ok, "Still here", into: &output) }
            }
            if loggingOut { break }
            flush()
        }
        await endIdle()
        // The last answer (BYE) must be on the wire before the socket closes.
        if output.readableBytes > 0 { try? await channel.writeAndFlush(output).get() }
        let received = traffic.received.load(ordering: .relaxed), sent = traffic.sent.load(ordering: .relaxed)
        if loggingOut || userName != nil {
            logger.info("\(loggingOut ? "Logged out" : "Disconnected") in=\(received) out=\(sent)")
        }
        if let userIPKey { userIPConnections.release(userIPKey) }
        try? await channel.close()
    }

    // MARK: - Input

    private func handle(_ frame: IMAPFrame) async {
        switch frame {
        case .continuationRequest:
            break
        case .rejected(let error):
            if let tag = error.tag {
                encoder.writeTagged(tag, error.status, code: error.code, error.message, into: &output)
            } else {
                encoder.writeUntagged(error.status, code: error.code, error.message, into: &output)
            }
            if error.closeConnection {
                encoder.writeUntagged(.bye, "Too much input", into: &output)
                loggingOut = true
            }
        case .command(let buffer), .line(let buffer):
            if idle != nil { return await idleInput(buffer) }
            if let pending = pendingAuthentication {
                pendingAuthentication = nil
                return await authenticateResponse(pending, line: Self.line(buffer))
            }
            let command: TaggedCommand
            do {
                command = try parser.parse(buffer)
            } catch {
                encoder.writeTagged(error.tag ?? "*", .bad, "Error in IMAP command: \(error.message)", into: &output)
                return
            }
            await execute(command)
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
        let tag = tagged.tag
        switch tagged.command {
        case .capability:
            encoder.writeCapability(user == nil ? Self.preLoginCapabilities : Self.capabilities, into: &output)
            self.tagged(tag, .ok, "Capability completed.")
        case .noop, .check:
            if case .check = tagged.command, selected == nil { return notSelected(tag) }
            await synchronize(allowExpunge: true)
            self.tagged(tag, .ok, "\(tagged.command.name) completed.")
        case .logout:
            encoder.writeUntagged(.bye, "Logging out", into: &output)
            self.tagged(tag, .ok, "Logout completed.")
            loggingOut = true
        case .id:
            encoder.writeID([IDParameter(key: "name", value: "ObjectMail")], into: &output)
            self.tagged(tag, .ok, "ID completed.")
        case .starttls:
            self.tagged(tag, .bad, "STARTTLS is not available.")
        case .login(let credentials):
            guard user == nil else { return self.tagged(tag, .bad, "Already logged in.") }
            await login(tag: tag, user: credentials.username, password: credentials.password)
        case .authenticate(let mechanism, let initialResponse):
            guard user == nil else { return self.tagged(tag, .bad, "Already logged in.") }
            guard let exchange = SASLExchange(mechanism: mechanism) else {
                return self.tagged(tag, .no, "Unsupported authentication mechanism.")
            }
            await startAuthentication(PendingAuthentication(tag: tag, exchange: exchange), initialResponse: initialResponse)
        default:
            guard let user else { return self.tagged(tag, .bad, "\(tagged.command.name): Not logged in.") }
            await executeAuthenticated(tagged, user: user)
        }
    }

    private func executeAuthenticated(_ tagged: TaggedCommand, user: MailUser) async {
        let tag = tagged.tag
        do {
            switch tagged.command {
            case .enable(let extensions):
                let enabling = extensions.contains { $0.uppercased() == "CONDSTORE" } && !condstore
                if enabling { condstore = true }
                encoder.writeEnabled(enabling ? ["CONDSTORE"] : [], into: &output)
                self.tagged(tag, .ok, "Enabled.")
            case .namespace:
                encoder.writeNamespace(personal: [NamespaceDescription(prefix: "", delimiter: MailboxName.separator)],
                                       otherUsers: [], shared: [], into: &output)
                self.tagged(tag, .ok, "Namespace completed.")
            case .select(let mailbox, let parameters):
                if parameters.condstore { condstore = true }
                try await select(tag: tag, mailbox: mailbox, readOnly: false, user: user)
            case .examine(let mailbox, let parameters):
                if parameters.condstore { condstore = true }
                try await select(tag: tag, mailbox: mailbox, readOnly: true, user: user)
            case .create(let mailbox, let specialUse):
                var name = mailbox
                if name.hasSuffix(String(MailboxName.separator)) { name.removeLast() }
                try await user.createMailbox(name, specialUse: specialUse.first)
                self.tagged(tag, .ok, "Create completed.")
            case .delete(let mailbox):
                if selected?.mailbox.name == mailbox { selected = nil }
                try await user.deleteMailbox(mailbox)
                self.tagged(tag, .ok, "Delete completed.")
            case .rename(let from, let to):
                try await user.renameMailbox(from, to: to)
                self.tagged(tag, .ok, "Rename completed.")
            case .subscribe(let mailbox):
                _ = try await user.mailbox(mailbox)
                try await user.setSubscribed(mailbox, true)
                self.tagged(tag, .ok, "Subscribe completed.")
            case .unsubscribe(let mailbox):
                try await user.setSubscribed(mailbox, false)
                self.tagged(tag, .ok, "Unsubscribe completed.")
            case .list(let command):
                try await list(command, user: user)
                self.tagged(tag, .ok, "List completed.")
            case .lsub(let reference, let pattern):
                try await list(ListCommand(selectionOptions: [.subscribed], reference: reference, patterns: [pattern]),
                               user: user, lsub: true)
                self.tagged(tag, .ok, "Lsub completed.")
            case .status(let mailbox, let attributes):
                try await status(mailbox: mailbox, attributes: attributes, user: user)
                self.tagged(tag, .ok, "Status completed.")
            case .append(let mailbox, let messages):
                try await append(tag: tag, mailbox: mailbox, messages: messages, user: user)
            case .idle:
                await startIdle(tag: tag, user: user)
            default:
                guard selected != nil else { return notSelected(tag) }
                try await executeSelected(tagged, user: user)
            }
        } catch {
            fail(tag, error, command: tagged.command)
        }
    }

    private func executeSelected(_ tagged: TaggedCommand, user: MailUser) async throws {
        let tag = tagged.tag
        // Commands work on the current state: new messages and flags first (removals wait, §7.4.1).
        await synchronize(allowExpunge: false)
        guard let view = selected?.view else { return self.tagged(tag, .no, "Selected mailbox was deleted.") }
        if let (set, byUID) = Self.sequenceSet(of: tagged.command), !view.isValid(set, byUID: byUID) {
            return self.tagged(tag, .bad, "Error in IMAP command \(tagged.command.name): Invalid messageset")
        }
        switch tagged.command {
        case .close:
            if let selected, !selected.readOnly {
                let deleted = try await user.messageStates(in: selected.mailbox).filter { $0.flags.contains(.deleted) }
                if !deleted.isEmpty {
                    _ = try await user.expungeMessages(UIDSet(deleted.map(\.uid)), in: selected.mailbox, origin: id)
                }
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
            try await fetch(set, attributes: attributes, changedSince: modifiers.changedSince, byUID: uid, user: user)
            await synchronize(allowExpunge: uid)
            self.tagged(tag, .ok, "Fetch completed.")
        case .store(let set, let operation, let unchangedSince, let uid):
            try await store(tag: tag, set, operation, unchangedSince: unchangedSince, byUID: uid, user: user)
        case .copy(let set, let mailbox, let uid):
            try await copy(tag: tag, set, to: mailbox, byUID: uid, move: false, user: user)
        case .move(let set, let mailbox, let uid):
            try await copy(tag: tag, set, to: mailbox, byUID: uid, move: true, user: user)
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
