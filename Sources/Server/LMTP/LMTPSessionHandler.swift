import Logging
import NIOCore
import ObjectMail

/// One LMTP session (RFC 2033). Commands are handled strictly in order: while a lookup or a
/// delivery runs (off the event loop), further pipelined input waits in the buffer, so replies
/// keep the order of the commands.
final class LMTPSessionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let backend: any LMTPBackend
    let configuration: LMTPConfiguration
    let connection: ConnectionContext
    private var logger: Logger
    private var input: ByteBuffer?
    private var mode = LMTPInputMode.command
    private var helo: String?
    private var transaction: LMTPTransaction?
    /// A lookup or delivery is running; input is not read until it ends.
    private var busy = false
    /// The server is shutting down: close as soon as no transaction is open.
    private var stopping = false
    /// Pipelined input held while busy; above this the socket is not read until the work ends.
    static let maxHeldInput = 256 * 1024
    private var readingPaused = false
    /// A reply that waits for the async step running now (a BDAT chunk's 250 after its bytes reached the spool).
    private var pendingReply: LMTPReply?
    private var quitting = false
    /// TLS state and the client's address (XCLIENT from a trusted peer replaces it).
    private var transport: SessionTransport
    /// STARTTLS was answered: clear text pipelined behind it in the same read is dropped.
    private var dropBufferedInput = false

    init(backend: any LMTPBackend, configuration: LMTPConfiguration, connection: ConnectionContext) {
        self.backend = backend
        self.configuration = configuration
        self.connection = connection
        self.logger = connection.logger
        self.transport = SessionTransport(connection)
    }

    private var sessionInfo: LMTPSessionInfo {
        LMTPSessionInfo(
            id: connection.sessionID, helo: transport.client.forwardedHelo ?? helo ?? "",
            remoteIP: transport.client.ip ?? "local")
    }

    func channelActive(context: ChannelHandlerContext) {
        logger.debug("connect from \(connection.remoteIP)")
        send(LMTPReply(220, "\(configuration.hostname) ObjectMail ready."), context: context)
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if input == nil {
            input = bytes
        } else {
            input!.writeBuffer(&bytes)
        }
        process(context: context)
        if busy && !readingPaused && (input?.readableBytes ?? 0) > Self.maxHeldInput {
            readingPaused = true
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        logger.debug("disconnected")
        // The body received so far (its spool file) goes with the connection.
        transaction = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerShutdownEvent {
            stopping = true
            closeIfIdle(context: context, reply: LMTPReply(421, "4.3.2 \(configuration.hostname) Shutting down"))
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, !busy {
            logger.info("disconnected for inactivity")
            send(LMTPReply(421, "4.4.2 \(configuration.hostname) Disconnected for inactivity"), context: context)
            context.flush()
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// During shutdown: between transactions, say goodbye and close.
    private func closeIfIdle(context: ChannelHandlerContext, reply: LMTPReply) {
        guard stopping, !busy, !quitting, transaction == nil, case .command = mode else { return }
        quitting = true
        send(reply, context: context)
        context.flush()
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: - Input

    /// Handles as much buffered input as possible, then sends the replies in one flush.
    private func process(context: ChannelHandlerContext) {
        while !busy && !quitting, var buffer = input, buffer.readableBytes > 0 {
            input = nil
            let progressed = step(&buffer, context: context)
            if buffer.readableBytes > 0 {
                if var newer = input { buffer.writeBuffer(&newer) }
                input = buffer
            }
            if !progressed { break }
        }
        if input?.readableBytes == 0 { input = nil } else { input?.discardReadBytes() }
        context.flush()
    }

    /// Reads one command or one piece of a body; false when more input is needed.
    private func step(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        switch mode {
        case .command, .discardingLine:
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > configuration.maxCommandLine {
                    if case .command = mode { send(LMTPReply(500, "5.5.2 Line too long"), context: context) }
                    mode = .discardingLine
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                }
                return false
            }
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if case .discardingLine = mode {
                mode = .command
                return true
            }
            if line.hasSuffix("\r") { line.removeLast() }
            if line.utf8.count > configuration.maxCommandLine {
                send(LMTPReply(500, "5.5.2 Line too long"), context: context)
                return true
            }
            handle(LMTPCommand.parse(line[...]), context: context)
            if dropBufferedInput {
                dropBufferedInput = false
                buffer.moveReaderIndex(to: buffer.writerIndex)
            }
            return true
        case .data(var reader):
            let finished = reader.read(&buffer)
            if !finished, !reader.tooBig, reader.message.count >= configuration.spool.threshold {
                let bytes = reader.takeMessage()
                mode = .data(reader)
                spill(bytes, context: context)
                return true
            }
            mode = .data(reader)
            if finished {
                mode = .command
                finishData(reader, context: context)
            }
            return finished
        case .chunk(let remaining, let last, let rejection):
            let count = min(remaining, buffer.readableBytes)
            if rejection == nil, transaction != nil {
                addChunk(buffer.readableBytesView.prefix(count))
            }
            buffer.moveReaderIndex(forwardBy: count)
            guard remaining == count else {
                mode = .chunk(remaining: remaining - count, last: last, rejection: rejection)
                if let bytes = chunksToSpill() {
                    spill(bytes, context: context)
                    return true
                }
                return false
            }
            mode = .command
            finishChunk(last: last, rejection: rejection, context: context)
            return true
        }
    }

    private func addChunk(_ bytes: ByteBufferView.SubSequence) {
        guard transaction?.chunksTooBig == false else { return }
        transaction?.chunkTotal += bytes.count
        if (transaction?.chunkTotal ?? 0) > configuration.maxMessageSize {
            // Dropped as they arrive (never buffered); the spool goes too: the answer is 552.
            transaction?.chunksTooBig = true
            transaction?.chunks = []
            transaction?.spool = nil
        } else {
            transaction?.chunks?.append(contentsOf: bytes)
        }
    }

    /// BDAT bytes held in memory once they pass the spool threshold, taken out of the transaction.
    private func chunksToSpill() -> [UInt8]? {
        guard let chunks = transaction?.chunks, chunks.count >= configuration.spool.threshold,
            transaction?.chunksTooBig == false
        else { return nil }
        transaction?.chunks = []
        return chunks
    }

    /// Appends body bytes to the transaction's spool file (created on first use) off the event loop; input
    /// waits meanwhile (and the socket stops being read once `maxHeldInput` is buffered), so a client sending
    /// faster than the disk takes it cannot make the body pile up in memory.
    private func spill(_ bytes: [UInt8], context: ChannelHandlerContext) {
        guard let transaction, !transaction.spoolFailed else { return }
        let existing = transaction.spool
        let directory = configuration.spool.directory
        runAsync(
            context: context,
            { () async -> Result<SpoolFile, any Error> in
                do {
                    let spool: SpoolFile
                    if let existing { spool = existing } else { spool = try await SpoolFile.create(in: directory) }
                    try await spool.appendAsync(bytes)
                    return .success(spool)
                } catch {
                    return .failure(error)
                }
            }
        ) { handler, _, result in
            guard handler.transaction != nil else { return }
            switch result {
            case .success(let spool):
                // BDAT chunks that made the message too big meanwhile dropped the spool: keep it dropped.
                let tooBig = handler.transaction?.chunksTooBig == true
                handler.transaction?.spool = tooBig ? nil : spool
            case .failure(let error):
                handler.logger.error("spooling the message to \(directory) failed: \(error)")
                handler.transaction?.spoolFailed = true
                handler.transaction?.spool = nil
            }
        }
    }

    // MARK: - Commands

    private func handle(_ command: LMTPCommand, context: ChannelHandlerContext) {
        switch command {
        case .lhlo(let domain):
            helo = domain
            transaction = nil
            send(
                LMTPReply(
                    code: 250,
                    lines: [configuration.hostname] + LMTPTransportCommands.capabilities(transport)
                        + [
                            "8BITMIME", "CHUNKING", "ENHANCEDSTATUSCODES", "PIPELINING",
                            "SIZE \(configuration.maxMessageSize)", "SMTPUTF8"
                        ]), context: context)
        case .starttls:
            guard transaction == nil else { return send(LMTPReply(503, "5.5.1 STARTTLS not allowed in a transaction"), context: context) }
            guard transport.canStartTLS, let tls = transport.security.tls else {
                return send(LMTPReply(502, "5.5.1 TLS is not available"), context: context)
            }
            send(LMTPReply(220, "2.0.0 Begin TLS negotiation now."), context: context)
            context.flush()
            do {
                try TLSUpgrade.addTLSHandler(to: context.channel, context: tls.context)
            } catch {
                logger.error("STARTTLS failed: \(error)")
                return context.close(promise: nil)
            }
            // RFC 3207: forget everything from before TLS, including input already read.
            transport.startingTLS()
            transport.handshakeCompleted(logger: logger)
            dropBufferedInput = true
            helo = nil
        case .xclient(let fields):
            guard transaction == nil else { return send(LMTPReply(503, "5.5.1 XCLIENT not allowed in a transaction"), context: context) }
            guard transport.applyXClient(fields) else {
                return send(LMTPReply(550, "5.7.0 You are not from trusted IP"), context: context)
            }
            logger.debug("XCLIENT: \(transport.client.logFields)")
            helo = nil
            send(LMTPReply(220, "\(configuration.hostname) ObjectMail ready."), context: context)
        case .mail(let from, let parameters):
            mail(from: from, parameters: parameters, context: context)
        case .rcpt(let to, let parameters):
            rcpt(to: to, parameters: parameters, context: context)
        case .data:
            guard let transaction else { return send(LMTPReply(503, "5.5.1 MAIL needed first"), context: context) }
            guard transaction.chunks == nil else {
                return send(LMTPReply(503, "5.5.1 DATA cannot be used with BDAT"), context: context)
            }
            guard !transaction.recipients.isEmpty else { return send(LMTPReply(503, "5.5.1 No valid recipients"), context: context) }
            mode = .data(DataReader(limit: configuration.maxMessageSize))
            send(LMTPReply(354, "OK"), context: context)
        case .bdat(let size, let last):
            var rejection: LMTPReply?
            if transaction == nil {
                rejection = LMTPReply(503, "5.5.1 MAIL needed first")
            } else if transaction!.recipients.isEmpty {
                rejection = LMTPReply(503, "5.5.1 No valid recipients")
            } else if transaction!.chunks == nil {
                transaction!.chunks = []
            }
            if rejection == nil, size > configuration.maxMessageSize {
                // A chunk larger than any message we take: reading it to find the next command could mean
                // gigabytes, so answer now and close. (A smaller chunk that only makes the message too big is read,
                // dropped and answered 552 at its end, and the session goes on.)
                transaction = nil
                send(LMTPReply(552, "5.3.4 Message too big for system"), context: context)
                quitting = true
                context.flush()
                context.close(promise: nil)
                return
            }
            mode = .chunk(remaining: size, last: last, rejection: rejection)
            if size == 0 {
                mode = .command
                finishChunk(last: last, rejection: rejection, context: context)
            }
        case .rset:
            transaction = nil
            send(LMTPReply(250, "2.0.0 OK"), context: context)
        case .noop:
            send(LMTPReply(250, "2.0.0 OK"), context: context)
        case .vrfy:
            send(LMTPReply(252, "2.3.3 Try RCPT instead"), context: context)
        case .quit:
            quitting = true
            send(LMTPReply(221, "2.0.0 \(configuration.hostname) Bye"), context: context)
            context.flush()
            context.close(promise: nil)
        case .unknown:
            send(LMTPReply(500, "5.5.1 Unknown command"), context: context)
        case .syntaxError(let message):
            send(LMTPReply(501, "5.5.4 \(message)"), context: context)
        }
    }

    private func mail(from: String, parameters: [String: String], context: ChannelHandlerContext) {
        guard helo != nil else { return send(LMTPReply(503, "5.5.1 LHLO first"), context: context) }
        guard transaction == nil else { return send(LMTPReply(503, "5.5.1 MAIL already given"), context: context) }
        for (name, value) in parameters {
            switch name {
            case "SIZE":
                guard let size = Int(value) else { return send(LMTPReply(501, "5.5.4 Invalid SIZE parameter"), context: context) }
                if size > configuration.maxMessageSize {
                    return send(LMTPReply(552, "5.3.4 Message too big for system"), context: context)
                }
            case "BODY":
                guard ["7BIT", "8BITMIME"].contains(value.uppercased()) else {
                    return send(LMTPReply(501, "5.5.4 Unsupported BODY parameter"), context: context)
                }
            case "SMTPUTF8":
                guard value.isEmpty else { return send(LMTPReply(501, "5.5.4 SMTPUTF8 takes no value"), context: context) }
            default:
                return send(LMTPReply(555, "5.5.4 Unsupported parameter \(name)"), context: context)
            }
        }
        transaction = LMTPTransaction(mailFrom: from)
        send(LMTPReply(250, "2.1.0 OK"), context: context)
    }

    private func rcpt(to address: String, parameters: [String: String], context: ChannelHandlerContext) {
        guard transaction != nil else { return send(LMTPReply(503, "5.5.1 MAIL needed first"), context: context) }
        guard transaction?.chunks == nil else { return send(LMTPReply(503, "5.5.1 RCPT after BDAT"), context: context) }
        guard (transaction?.recipients.count ?? 0) < LMTPConfiguration.maxRecipients else {
            return send(LMTPReply(452, "4.5.3 Too many recipients"), context: context)
        }
        var original: String?
        for (name, value) in parameters {
            guard name == "ORCPT" else { return send(LMTPReply(555, "5.5.4 Unsupported parameter \(name)"), context: context) }
            // ORCPT=rfc822;user@example.com (xtext).
            let parts = value.split(separator: ";", maxSplits: 1)
            if parts.count == 2 { original = String(parts[1]).xtextDecoded }
        }
        let backend = self.backend
        let session = sessionInfo
        let orcpt = original
        runAsync(context: context, { await backend.resolveRecipient(address, originalRecipient: orcpt, session: session) }) { handler, context, lookup in
            switch lookup {
            case .accepted(let recipient):
                handler.transaction?.recipients.append(recipient)
                handler.send(LMTPReply(250, "2.1.5 OK"), context: context)
            case .unknown:
                handler.send(LMTPReply(550, "5.1.1 <\(address)> User doesn't exist: \(address)"), context: context)
            case .temporaryFailure:
                handler.send(LMTPReply(451, "4.3.0 <\(address)> Temporary internal error"), context: context)
            }
        }
    }

    private func finishData(_ reader: DataReader, context: ChannelHandlerContext) {
        guard let transaction else { return }
        deliver(transaction, bytes: reader.message, tooBig: reader.tooBig, context: context)
    }

    private func finishChunk(last: Bool, rejection: LMTPReply?, context: ChannelHandlerContext) {
        if let rejection { return send(rejection, context: context) }
        guard let transaction else { return }
        if !last {
            if transaction.chunksTooBig {
                self.transaction = nil
                return send(LMTPReply(552, "5.3.4 Message too big for system"), context: context)
            }
            if let bytes = chunksToSpill() {
                let total = transaction.chunkTotal
                spill(bytes, context: context)
                let reply = LMTPReply(250, "2.0.0 \(total) octets received")
                // The reply waits until the bytes are written; sent right after the write, before any later input.
                guard busy else { return send(reply, context: context) }
                pendingReply = reply
                return
            }
            return send(LMTPReply(250, "2.0.0 \(transaction.chunkTotal) octets received"), context: context)
        }
        deliver(transaction, bytes: transaction.chunks ?? [], tooBig: transaction.chunksTooBig, context: context)
    }

    /// The end of a message: one reply per accepted recipient, in RCPT order.
    private func deliver(_ transaction: LMTPTransaction, bytes: [UInt8], tooBig: Bool, context: ChannelHandlerContext) {
        self.transaction = nil
        if tooBig {
            for _ in transaction.recipients { send(LMTPReply(552, "5.3.4 Message too big for system"), context: context) }
            return
        }
        if transaction.spoolFailed {
            for recipient in transaction.recipients {
                send(LMTPReply(451, "4.3.0 <\(recipient.address)> Temporary internal error"), context: context)
            }
            return
        }
        let backend = self.backend
        let session = sessionInfo
        let logger = self.logger
        let mailFrom = transaction.mailFrom
        let recipients = transaction.recipients
        guard let spool = transaction.spool else {
            let message = LMTPMessage(mailFrom: mailFrom, recipients: recipients, bytes: bytes)
            runAsync(context: context, { await backend.deliver(message, session: session) }) { handler, context, replies in
                for reply in replies { handler.send(reply, context: context) }
            }
            return
        }
        runAsync(
            context: context,
            { () async -> [LMTPReply] in
                do {
                    try await spool.appendAsync(bytes)
                } catch {
                    logger.error("spooling the message to \(spool.directory) failed: \(error)")
                    return recipients.map { LMTPReply(451, "4.3.0 <\($0.address)> Temporary internal error") }
                }
                return await backend.deliver(LMTPMessage(mailFrom: mailFrom, recipients: recipients, bytes: [], spool: spool), session: session)
            }
        ) { handler, context, replies in
            for reply in replies { handler.send(reply, context: context) }
        }
    }

    // MARK: - Helpers

    /// Runs `work` off the event loop; input waits until `then` has run on the loop again.
    private func runAsync<T: Sendable>(
        context: ChannelHandlerContext, _ work: @escaping @Sendable () async -> T,
        then: @escaping (LMTPSessionHandler, ChannelHandlerContext, T) -> Void
    ) {
        busy = true
        context.flush()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask(work).assumeIsolated().whenSuccess { value in
            let (handler, context) = loopBound.value
            handler.busy = false
            then(handler, context, value)
            if let reply = handler.pendingReply {
                handler.pendingReply = nil
                handler.send(reply, context: context)
            }
            handler.process(context: context)
            handler.closeIfIdle(context: context, reply: LMTPReply(421, "4.3.2 \(handler.configuration.hostname) Shutting down"))
            if handler.readingPaused && !handler.busy {
                handler.readingPaused = false
                try? context.channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }
    }

    private func send(_ reply: LMTPReply, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(ByteBuffer(string: reply.wire)), promise: nil)
    }
}
