import Auth
import Foundation
import Logging
import MetaCache
import ObjectMail
import ObjectStore

/// The LMTP backend of the real server: recipients are looked up in the userdb, messages saved
/// through `MailStorage` into INBOX (or the detail mailbox), every recipient in parallel.
public final class StorageDelivery: LMTPBackend {
    let authenticator: Authenticator
    let storage: MailStorage
    let configuration: LMTPConfiguration
    let limiter: UserConcurrencyLimiter
    let logger: Logger

    public init(authenticator: Authenticator, storage: MailStorage, configuration: LMTPConfiguration, logger: Logger) {
        self.authenticator = authenticator
        self.storage = storage
        self.configuration = configuration
        self.limiter = UserConcurrencyLimiter(limit: configuration.userConcurrencyLimit)
        self.logger = logger
    }

    public func resolveRecipient(_ address: String, originalRecipient: String?, session: LMTPSessionInfo) async -> RecipientLookup {
        let (user, detail) = configuration.splitDetail(address)
        do {
            guard let record = try await authenticator.lookupUser(user, service: "lmtp") else { return .unknown }
            return .accepted(LMTPRecipient(address: address, user: record.user, detail: detail, originalRecipient: originalRecipient,
                                           userdbFields: record.fields))
        } catch {
            sessionLogger(session).error("userdb lookup of \(user) failed: \(error)")
            return .temporaryFailure
        }
    }

    public func deliver(_ message: LMTPMessage, session: LMTPSessionInfo) async -> [LMTPReply] {
        let messageID: String
        if let spool = message.spool {
            // The header is at the start: 64 KiB of it is plenty for a Message-ID and never the whole body.
            let head = (try? await BlockingIOPool.shared.run { try spool.read(count: 64 * 1024, at: 0) }) ?? []
            messageID = DeliveryHeaders.messageID(in: head)
        } else {
            messageID = DeliveryHeaders.messageID(in: message.bytes)
        }
        // One mail_operation_deadline for the whole DATA: its recipients are saved in parallel under it.
        return await storage.configuration.withinDeadline { await withTaskGroup(of: (Int, LMTPReply).self) { group in
            for (index, recipient) in message.recipients.enumerated() {
                group.addTask {
                    (index, await self.limiter.run(user: recipient.user) {
                        await self.deliver(message, to: recipient, messageID: messageID, session: session)
                    })
                }
            }
            var replies = [LMTPReply?](repeating: nil, count: message.recipients.count)
            for await (index, reply) in group { replies[index] = reply }
            return replies.map { $0! }
        } }
    }

    private func deliver(_ message: LMTPMessage, to recipient: LMTPRecipient, messageID: String,
                         session: LMTPSessionInfo) async -> LMTPReply {
        let started = ContinuousClock.now
        var logger = sessionLogger(session)
        logger[metadataKey: "user"] = "\(recipient.user)"
        let header = DeliveryHeaders(configuration: configuration).header(for: recipient, mailFrom: message.mailFrom, session: session)
        let size = header.count + message.size
        var mailboxName = MailboxName.inbox.value
        do {
            let user = try await storage.user(recipient.user, userdb: UserdbLocation(fields: recipient.userdbFields))
            await user.applyUserdbFields(recipient.userdbFields)
            let mailbox = try await destination(for: recipient, of: user)
            mailboxName = mailbox.name
            let incoming: IncomingMessage
            if let spool = message.spool {
                // Each recipient's object starts with its own header lines: a copy of the shared spool behind them,
                // made on disk in bounded chunks (the object is uploaded from that file).
                let copy = try await BlockingIOPool.shared.run { try spool.copy(prefixedWith: header) }
                incoming = IncomingMessage(spool: copy)
            } else {
                incoming = IncomingMessage(bytes: header + message.bytes)
            }
            _ = try await MailLogContext.$sessionLogger.withValue(logger) { try await user.saveMessages([incoming], to: mailbox, quotaGrace: true) }
            logger.info("msgid=\(messageID): saved mail to \(mailboxName)",
                        metadata: deliveryMetadata(recipient, size: size, started: started, result: "saved"))
            ServerMetrics.delivery(result: "saved", bytes: size)
            return LMTPReply(250, "2.0.0 <\(recipient.address)> \(session.id) Saved")
        } catch StorageError.quotaExceeded(_, _, let text) {
            // Permanent unless the operator wants the MTA to keep retrying (quota_full_tempfail), as in Dovecot.
            let tempfail = storage.configuration.quota?.fullTempfail == true
            logger.info("msgid=\(messageID): save failed to \(mailboxName): \(text)",
                        metadata: deliveryMetadata(recipient, size: size, started: started, result: "quota"))
            ServerMetrics.delivery(result: "quota", bytes: size)
            return tempfail ? LMTPReply(452, "4.2.2 <\(recipient.address)> \(text)") : LMTPReply(552, "5.2.2 <\(recipient.address)> \(text)")
        } catch {
            logger.error("msgid=\(messageID): save failed to \(mailboxName): \(error)",
                         metadata: deliveryMetadata(recipient, size: size, started: started, result: "tempfail"))
            ServerMetrics.delivery(result: "tempfail", bytes: size)
            return LMTPReply(451, "4.3.0 <\(recipient.address)> Temporary failure")
        }
    }

    /// INBOX, or with `lmtp_save_to_detail_mailbox` the mailbox named by the detail: created when
    /// `lda_mailbox_autocreate` says so, otherwise INBOX when it does not exist (as Dovecot falls back).
    private func destination(for recipient: LMTPRecipient, of user: MailUser) async throws -> MailboxRecord {
        guard configuration.saveToDetailMailbox, let detail = recipient.detail, !detail.isEmpty,
              (try? MailboxName(detail)) != nil else {
            return try await user.mailbox(MailboxName.inbox.value)
        }
        do {
            return try await user.mailbox(detail)
        } catch StorageError.mailboxNotFound {
            guard configuration.mailboxAutocreate else { return try await user.mailbox(MailboxName.inbox.value) }
            do {
                let created = try await user.createMailbox(detail)
                if configuration.mailboxAutosubscribe { try await user.setSubscribed(detail, true) }
                return created
            } catch StorageError.mailboxExists {
                return try await user.mailbox(detail)  // another delivery created it meanwhile
            }
        }
    }

    private func sessionLogger(_ session: LMTPSessionInfo) -> Logger {
        var logger = self.logger
        logger[metadataKey: "session"] = "\(session.id)"
        return logger
    }

    private func deliveryMetadata(_ recipient: LMTPRecipient, size: Int, started: ContinuousClock.Instant, result: String) -> Logger.Metadata {
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return ["rcpt": "\(recipient.address)", "size": "\(size)", "ms": "\(milliseconds)", "result": "\(result)"]
    }
}
