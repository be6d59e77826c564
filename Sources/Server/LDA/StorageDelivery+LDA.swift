import Auth
import Foundation
import Logging
import ObjectMail

/// Whether an `objectmail lda` delivery may send its message: the user exists and the size is acceptable.
public enum LDAAcceptance: Sendable, Equatable {
    case proceed(LMTPRecipient)
    case refused(LDAResult)
}

/// `objectmail lda` on the server's side: the same save path as LMTP (`save`), with what dovecot-lda does
/// differently — no header lines added, -m's mailbox instead of the detail one, the request's -o overrides.
/// This `StorageDelivery` is built from `protocol lda { }`'s view of the settings.
extension StorageDelivery {
    /// quota_max_mail_size, or the built-in limit.
    public var maxMessageSize: Int { configuration.maxMessageSize }

    /// Where bodies above the threshold are received (mail_temp_dir).
    public var spoolConfiguration: SpoolConfiguration { configuration.spool }

    /// Looks the -d user up (userdb, service lda) and checks the size, before the message is sent.
    public func accept(_ request: LDARequest) async -> LDAAcceptance {
        guard request.size <= configuration.maxMessageSize else {
            logger.info("\(request.user): \(request.size) bytes over the limit of \(configuration.maxMessageSize): \(LDAResult.tooLargeText)")
            return .refused(LDAResult(.tooLarge, LDAResult.tooLargeText))
        }
        do {
            guard let record = try await authenticator.lookupUser(request.user, service: "lda") else {
                return .refused(LDAResult(.unknownUser, "User doesn't exist: \(request.user)"))
            }
            // dovecot-lda's destination address without -a is the user, or user@hostname.
            let address =
                request.finalRecipient ?? request.originalRecipient
                ?? (record.user.contains("@") ? record.user : "\(record.user)@\(configuration.hostname)")
            return .proceed(
                LMTPRecipient(
                    address: address, user: record.user, originalRecipient: request.originalRecipient,
                    userdbFields: record.fields))
        } catch {
            logger.error("userdb lookup of \(request.user) failed: \(error)")
            return .refused(LDAResult(.temporaryFailure, "userdb lookup failed: \(error)"))
        }
    }

    /// Saves the message (in memory, or spooled) for the accepted recipient, under one mail_operation_deadline.
    public func deliverLocally(_ request: LDARequest, to recipient: LMTPRecipient, bytes: [UInt8], spool: SpoolFile?) async -> LDAResult {
        let message = LMTPMessage(mailFrom: request.sender, recipients: [recipient], bytes: bytes, spool: spool)
        let session = LMTPSessionInfo(id: SessionID.make(), helo: "", remoteIP: "")
        let delivery = DeliveryRequest(
            mailbox: request.mailbox.flatMap { $0.isEmpty ? nil : $0 },
            autocreate: request.overrides.mailboxAutocreate ?? configuration.mailboxAutocreate,
            autosubscribe: request.overrides.mailboxAutosubscribe ?? configuration.mailboxAutosubscribe,
            // Deliveries get quota_grace, as dovecot-lda's do (checked against 2.3.19).
            quota: request.overrides.enforceQuota == false ? .notEnforced : .withGrace)
        let messageID = await Self.messageID(of: message)
        let outcome = await storage.configuration.withinDeadline {
            // dovecot-lda adds no Return-Path, Delivered-To or Received: the MTA adds what it wants (Postfix's pipe
            // flags=DRhu), and adding them here too would give every message two of each.
            await deliver(message, header: [], for: recipient, as: delivery, messageID: messageID, session: session)
        }
        switch outcome {
        case .saved(let mailbox):
            return LDAResult(.delivered, mailbox)
        case .overQuota(let text):
            return LDAResult(
                .overQuota, text,
                tempfail: request.overrides.quotaFullTempfail ?? storage.configuration.quota?.fullTempfail ?? false)
        case .temporaryFailure(let reason):
            return LDAResult(.temporaryFailure, reason)
        }
    }
}
