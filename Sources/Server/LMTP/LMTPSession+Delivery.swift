import ObjectMail

extension LMTPSession {
    /// Once the body in memory passes the spool threshold, appends it to the transaction's spool file (created on
    /// first use) off the event loop. The framer reads nothing more meanwhile, so a client sending faster than the
    /// disk takes it cannot make the body pile up in memory.
    func spill(_ body: inout LMTPBody) async {
        guard body.status == .receiving, body.memory.count >= configuration.spool.threshold else { return }
        let bytes = body.memory
        body.memory = []
        let directory = configuration.spool.directory
        do {
            let spool: SpoolFile
            if let existing = body.spool { spool = existing } else { spool = try await SpoolFile.create(in: directory) }
            try await spool.appendAsync(bytes)
            body.spool = spool
        } catch {
            logger.error("spooling the message to \(directory) failed: \(error)")
            body.status = .spoolFailed
            body.spool = nil
        }
    }

    /// The end of a message: one reply per accepted recipient, in RCPT order. The transaction ends.
    func deliver(_ transaction: LMTPTransaction, body: LMTPBody, helo: String) async {
        state = .ready(helo: helo)
        let recipients = transaction.recipients
        switch body.status {
        case .tooBig:
            for _ in recipients { send(552, "5.3.4 Message too big for system") }
            return
        case .spoolFailed:
            for recipient in recipients { send(451, "4.3.0 <\(recipient.address)> Temporary internal error") }
            return
        case .receiving:
            break
        }
        let message: LMTPMessage
        if let spool = body.spool {
            do {
                if !body.memory.isEmpty { try await spool.appendAsync(body.memory) }
            } catch {
                logger.error("spooling the message to \(spool.directory) failed: \(error)")
                for recipient in recipients { send(451, "4.3.0 <\(recipient.address)> Temporary internal error") }
                return
            }
            message = LMTPMessage(mailFrom: transaction.mailFrom, recipients: recipients, bytes: [], spool: spool)
        } else {
            message = LMTPMessage(mailFrom: transaction.mailFrom, recipients: recipients, bytes: body.memory)
        }
        for reply in await backend.deliver(message, session: sessionInfo(helo: helo)) { send(reply) }
    }
}
