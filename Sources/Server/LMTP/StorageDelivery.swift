import Auth
import Foundation
import Logging
import MailModel
import ObjectMail

/// The delivery of the real server, for LMTP and for `objectmail lda` alike: recipients are looked up in the
/// userdb, messages saved through `MailStorage` as Dovecot's mail_deliver saves them (the requested mailbox, else
/// INBOX). LMTP saves every recipient of a transaction in parallel; the LDA side is in `StorageDelivery+LDA`.
public final class StorageDelivery: LMTPBackend {
    let authenticator: Authenticator
    let storage: MailStorage
    let configuration: LMTPConfiguration
    let limiter: UserConcurrencyLimiter
    let logger: Logger
    /// Sieve on delivery (`mail_plugins` names sieve for this protocol); nil: mail goes where the request says.
    let sieve: SieveDeliveryConfiguration?
    /// Compiled scripts, shared by every delivery of this protocol.
    let sieveCache = SieveCompiledCache()

    public init(
        authenticator: Authenticator, storage: MailStorage, configuration: LMTPConfiguration,
        sieve: SieveDeliveryConfiguration? = nil, logger: Logger
    ) {
        self.authenticator = authenticator
        self.storage = storage
        self.configuration = configuration
        self.limiter = UserConcurrencyLimiter(limit: configuration.userConcurrencyLimit)
        self.sieve = sieve
        self.logger = logger
    }

    public func resolveRecipient(_ address: String, originalRecipient: String?, session: LMTPSessionInfo) async -> RecipientLookup {
        let (user, detail) = configuration.splitDetail(address)
        do {
            guard let record = try await authenticator.lookupUser(user, service: "lmtp") else { return .unknown }
            return .accepted(
                LMTPRecipient(
                    address: address, user: record.user, detail: detail, originalRecipient: originalRecipient,
                    userdbFields: record.fields))
        } catch {
            sessionLogger(session).error("userdb lookup of \(user) failed: \(error)")
            return .temporaryFailure
        }
    }

    public func deliver(_ message: LMTPMessage, session: LMTPSessionInfo) async -> [LMTPReply] {
        let messageID = await Self.messageID(of: message)
        // One mail_operation_deadline for the whole DATA: its recipients are saved in parallel under it.
        return await storage.configuration.withinDeadline {
            await withTaskGroup(of: (Int, LMTPReply).self) { group in
                for (index, recipient) in message.recipients.enumerated() {
                    group.addTask {
                        (
                            index,
                            await self.limiter.run(user: recipient.user) {
                                await self.reply(for: recipient, of: message, messageID: messageID, session: session)
                            }
                        )
                    }
                }
                var replies = [LMTPReply?](repeating: nil, count: message.recipients.count)
                for await (index, reply) in group { replies[index] = reply }
                return replies.map { $0! }
            }
        }
    }

    private func reply(for recipient: LMTPRecipient, of message: LMTPMessage, messageID: String, session: LMTPSessionInfo) async -> LMTPReply {
        let header = DeliveryHeaders(configuration: configuration).header(for: recipient, mailFrom: message.mailFrom, session: session)
        let detail = configuration.saveToDetailMailbox ? recipient.detail.flatMap { $0.isEmpty ? nil : $0 } : nil
        let request = DeliveryRequest(
            mailbox: detail, autocreate: configuration.mailboxAutocreate,
            autosubscribe: configuration.mailboxAutosubscribe, quota: .withGrace)
        switch await deliver(message, header: header, for: recipient, as: request, messageID: messageID, session: session) {
        case .saved:
            return LMTPReply(250, "2.0.0 <\(recipient.address)> \(session.id) Saved")
        case .overQuota(let text):
            // Permanent unless the operator wants the MTA to keep retrying (quota_full_tempfail), as in Dovecot.
            return storage.configuration.quota?.fullTempfail == true
                ? LMTPReply(452, "4.2.2 <\(recipient.address)> \(text)") : LMTPReply(552, "5.2.2 <\(recipient.address)> \(text)")
        case .temporaryFailure:
            return LMTPReply(451, "4.3.0 <\(recipient.address)> Temporary failure")
        }
    }

    /// One recipient's delivery, for LMTP and LDA alike: through the user's Sieve scripts when the sieve plugin is on,
    /// else straight to the requested mailbox (`save`).
    func deliver(
        _ message: LMTPMessage, header: [UInt8], for recipient: LMTPRecipient, as request: DeliveryRequest,
        messageID: String, session: LMTPSessionInfo
    ) async -> DeliveryOutcome {
        if let sieve {
            return await sieveDeliver(
                message, header: header, for: recipient, as: request, messageID: messageID, session: session, sieve: sieve)
        }
        return await save(message, header: header, for: recipient, as: request, messageID: messageID, session: session)
    }

    /// Dovecot's mail_deliver for one recipient, the one save path of LMTP and LDA: the requested mailbox (LMTP's
    /// detail mailbox, LDA's -m), created when missing if the request says so; when the save there fails for any
    /// reason, INBOX, whose result is then the outcome. `header` goes in front of the message (LMTP's trace lines).
    func save(
        _ message: LMTPMessage, header: [UInt8], for recipient: LMTPRecipient, as request: DeliveryRequest,
        messageID: String, session: LMTPSessionInfo
    ) async -> DeliveryOutcome {
        let started = ContinuousClock.now
        var logger = sessionLogger(session)
        logger[metadataKey: "user"] = "\(recipient.user)"
        let size = header.count + message.size
        var mailboxName = MailboxName.inbox.value
        do {
            let user = try await storage.user(recipient.user, userdb: UserdbLocation(fields: recipient.userdbFields))
            await user.applyUserdbFields(recipient.userdbFields)
            let incoming = try await Self.incoming(message, header: header)
            if let requested = request.mailbox, (try? MailboxName(requested))?.isInbox != true {
                do {
                    let mailbox = try await destination(requested, of: user, request: request)
                    mailboxName = mailbox.name
                    try await save(incoming, into: mailbox, of: user, request: request, logger: logger)
                    return saved(messageID, into: mailboxName, recipient, from: message.mailFrom, size: size, started: started, logger: logger)
                } catch {
                    // As Dovecot: "save failed to open mailbox Foo: …" or "save failed to Foo: …", then INBOX.
                    logger.info("msgid=\(messageID): save failed to \(requested): \(error)")
                    mailboxName = MailboxName.inbox.value
                }
            }
            try await save(incoming, into: try await user.mailbox(mailboxName), of: user, request: request, logger: logger)
            return saved(messageID, into: mailboxName, recipient, from: message.mailFrom, size: size, started: started, logger: logger)
        } catch StorageError.quotaExceeded(_, _, let text) {
            logger.info(
                "msgid=\(messageID): save failed to \(mailboxName): \(text)",
                metadata: deliveryMetadata(recipient, from: message.mailFrom, size: size, started: started, result: "quota"))
            ServerMetrics.delivery(result: "quota", bytes: size)
            return .overQuota(text)
        } catch {
            logger.error(
                "msgid=\(messageID): save failed to \(mailboxName): \(error)",
                metadata: deliveryMetadata(recipient, from: message.mailFrom, size: size, started: started, result: "tempfail"))
            ServerMetrics.delivery(result: "tempfail", bytes: size)
            return .temporaryFailure("\(error)")
        }
    }

    /// The recipient's copy: its header lines in front of the message, in memory or in a spool file.
    static func incoming(_ message: LMTPMessage, header: [UInt8], flags: MessageFlags = [], keywords: [String] = []) async throws
        -> IncomingMessage
    {
        if let spool = message.spool {
            // Each recipient's object starts with its own header lines: a copy of the shared spool behind them,
            // made on disk in bounded chunks (the object is uploaded from that file).
            let copy = header.isEmpty ? spool : try await spool.copyAsync(prefixedWith: header)
            return IncomingMessage(spool: copy, flags: flags, keywords: keywords)
        }
        return IncomingMessage(bytes: header + message.bytes, flags: flags, keywords: keywords)
    }

    func save(
        _ incoming: IncomingMessage, into mailbox: Mailbox, of user: MailUser, request: DeliveryRequest,
        logger: Logger
    ) async throws {
        _ = try await MailLogContext.$sessionLogger.withValue(logger) {
            try await user.saveMessages([incoming], to: mailbox, quota: request.quota)
        }
    }

    private func saved(
        _ messageID: String, into mailbox: String, _ recipient: LMTPRecipient, from sender: String, size: Int,
        started: ContinuousClock.Instant, logger: Logger
    ) -> DeliveryOutcome {
        logger.info(
            "msgid=\(messageID): saved mail to \(mailbox)",
            metadata: deliveryMetadata(recipient, from: sender, size: size, started: started, result: "saved"))
        ServerMetrics.delivery(result: "saved", bytes: size)
        return .saved(mailbox: mailbox)
    }

    /// The requested mailbox; a missing one is created when the request says so (lda_mailbox_autocreate).
    func destination(_ name: String, of user: MailUser, request: DeliveryRequest) async throws -> Mailbox {
        do {
            return try await user.mailbox(name)
        } catch StorageError.mailboxNotFound where request.autocreate {
            do {
                let created = try await user.createMailbox(name)
                if request.autosubscribe { try await user.setSubscribed(name, true) }
                return created
            } catch StorageError.mailboxExists {
                return try await user.mailbox(name) // another delivery created it meanwhile
            }
        }
    }

    /// The Message-ID for the log line, from the start of the header.
    static func messageID(of message: LMTPMessage) async -> String {
        guard let spool = message.spool else { return DeliveryHeaders.messageID(in: message.bytes) }
        // The header is at the start: 64 KiB of it is plenty for a Message-ID and never the whole body.
        let head = (try? await spool.readAsync(count: 64 * 1024, at: 0)) ?? []
        return DeliveryHeaders.messageID(in: head)
    }

    func sessionLogger(_ session: LMTPSessionInfo) -> Logger {
        var logger = self.logger
        logger[metadataKey: "session"] = "\(session.id)"
        return logger
    }

    func deliveryMetadata(
        _ recipient: LMTPRecipient, from sender: String, size: Int, started: ContinuousClock.Instant,
        result: String
    ) -> Logger.Metadata {
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return ["from": "<\(sender)>", "rcpt": "\(recipient.address)", "size": "\(size)", "ms": "\(milliseconds)", "result": "\(result)"]
    }
}
