import Foundation
import Logging
import ObjectMail
import Sieve

/// The Sieve actions that send mail (redirect, reject/ereject, vacation), through `submission_host`, with the
/// outcomes Pigeonhole gives them: sent; failed permanently (5xx, or no means to send: the message is kept); failed
/// temporarily (no connection, 4xx: the delivery is retried by the MTA).
extension StorageDelivery {
    enum SieveSendOutcome: Equatable {
        case done
        case failed
        case temporaryFailure(String)
    }

    /// What the sending actions of one delivery share.
    struct SieveSendContext {
        var sieve: SieveDeliveryConfiguration
        var outgoing: SieveOutgoingMail
        var envelopeSender: String
        var recipient: LMTPRecipient
        var user: MailUser
        var log: String
        var logger: Logger
        /// Forwards made before (the duplicate database), hashed.
        var forwarded: Set<String>
    }

    func sieveSend(_ action: SieveAction, _ context: SieveSendContext) async -> SieveSendOutcome {
        let log = context.log
        let logger = context.logger
        switch action {
        case .redirect(let address, _):
            let originalRecipient = context.recipient.originalRecipient ?? context.recipient.address
            let id = [
                context.outgoing.value("Message-ID") ?? "", originalRecipient, address,
                context.outgoing.value("Resent-Message-ID") ?? context.outgoing.value("Resent-From") ?? "",
                context.outgoing.value("List-Id") ?? ""
            ].joined(separator: "-")
            if context.forwarded.contains(MailUser.sieveDuplicateHash(id)) {
                logger.info("\(log): discarded duplicate forward to <\(address)>")
                return .done
            }
            let from = context.envelopeSender.isEmpty ? "" : redirectEnvelopeFrom(context)
            let outcome = await send(
                context, what: "redirect message to <\(address)>", from: from, to: address,
                message: context.outgoing.redirected(by: context.recipient.address))
            guard outcome == .done else { return outcome }
            // Pigeonhole's sieve_redirect_duplicate_period: the same message is not forwarded again for 12 hours.
            try? await context.user.markSieveDuplicates([(id, 12 * 3600)])
            logger.info("\(log): forwarded to <\(address)>")
            return .done
        case .reject(let reason, let extended):
            if context.outgoing.isAutoSubmitted {
                logger.info("\(log): not sending reject message to an auto-submitted message; discarded: \(reason)")
                return .done
            }
            let postmaster = postmasterAddress(context)
            let message = context.outgoing.rejection(
                reason: reason, from: postmaster, to: context.envelopeSender, finalRecipient: context.recipient.address,
                originalRecipient: context.recipient.originalRecipient)
            let outcome = await send(
                context, what: "send rejection message to <\(context.envelopeSender)>", from: "", to: context.envelopeSender, message: message)
            guard outcome == .done else { return outcome }
            logger.info("\(log): rejected message from <\(context.envelopeSender)> (\(extended ? "ereject" : "reject"))")
            return .done
        case .vacation(let vacation):
            let from = context.sieve.vacationSendFromRecipient ? context.recipient.address : ""
            let outcome = await send(
                context, what: "send vacation response to <\(vacation.recipient)>", from: from, to: vacation.recipient,
                message: context.outgoing.vacationResponse(vacation, recipient: context.recipient.address))
            guard outcome == .done else { return outcome }
            try? await context.user.markSieveDuplicates([(Self.vacationID(vacation.recipient, vacation.handle), vacation.period)], .vacation)
            logger.info("\(log): sent vacation response to <\(vacation.recipient)>")
            return .done
        case .store, .discard:
            return .done
        }
    }

    /// The vacation database's id: one response per sender and handle within the period.
    static func vacationID(_ sender: String, _ handle: String) -> String { "\(sender.lowercased())\u{0}\(handle)" }

    private func send(_ context: SieveSendContext, what: String, from: String, to: String, message: [UInt8]) async -> SieveSendOutcome {
        guard let submission = context.sieve.submission else {
            context.logger.error("\(context.log): failed to \(what): no means to send mail (submission_host is not set)")
            return .failed
        }
        do throws(SMTPSubmission.Failure) {
            try await submission.send(from: from, to: to, message: message)
            return .done
        } catch {
            switch error {
            case .temporary(let text):
                context.logger.error("\(context.log): failed to \(what): \(text) (temporary failure)")
                return .temporaryFailure(text)
            case .permanent(let text):
                context.logger.error("\(context.log): failed to \(what): \(text) (permanent failure)")
                return .failed
            }
        }
    }

    private func redirectEnvelopeFrom(_ context: SieveSendContext) -> String {
        switch context.sieve.redirectEnvelopeFrom {
        case .sender: context.envelopeSender
        case .recipient: context.recipient.address
        case .originalRecipient: context.recipient.originalRecipient ?? context.recipient.address
        case .postmaster: postmasterAddress(context)
        case .address(let address): address
        }
    }

    /// postmaster_address, else postmaster@ the recipient's domain (Dovecot's default).
    private func postmasterAddress(_ context: SieveSendContext) -> String {
        if !context.sieve.postmasterAddress.isEmpty { return context.sieve.postmasterAddress }
        let domain = context.recipient.address.split(separator: "@").last.map(String.init) ?? context.sieve.hostname
        return "postmaster@\(domain)"
    }
}
