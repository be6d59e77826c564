extension LMTPSession {
    /// MAIL FROM with SIZE, BODY and SMTPUTF8: opens a transaction.
    func mail(from: String, parameters: [String: String]) {
        let helo: String
        switch state {
        case .ready(let given): helo = given
        case .transaction: return send(503, "5.5.1 MAIL already given")
        case .awaitingLHLO, .discardingChunk, .closing: return send(503, "5.5.1 LHLO first")
        }
        for (name, value) in parameters {
            switch name {
            case "SIZE":
                guard let size = Int(value) else { return send(501, "5.5.4 Invalid SIZE parameter") }
                if size > configuration.maxMessageSize { return send(552, "5.3.4 Message too big for system") }
            case "BODY":
                guard ["7BIT", "8BITMIME"].contains(value.uppercased()) else {
                    return send(501, "5.5.4 Unsupported BODY parameter")
                }
            case "SMTPUTF8":
                guard value.isEmpty else { return send(501, "5.5.4 SMTPUTF8 takes no value") }
            default:
                return send(555, "5.5.4 Unsupported parameter \(name)")
            }
        }
        state = .transaction(helo: helo, LMTPTransaction(mailFrom: from))
        send(250, "2.1.0 OK")
    }

    /// RCPT TO with ORCPT: the recipient is looked up in the backend (the userdb) before the answer.
    func rcpt(to address: String, parameters: [String: String]) async {
        guard case .transaction(let helo, let transaction) = state else { return send(503, "5.5.1 MAIL needed first") }
        guard case .envelope = transaction.body else { return send(503, "5.5.1 RCPT after BDAT") }
        guard transaction.recipients.count < LMTPConfiguration.maxRecipients else {
            return send(452, "4.5.3 Too many recipients")
        }
        var original: String?
        for (name, value) in parameters {
            guard name == "ORCPT" else { return send(555, "5.5.4 Unsupported parameter \(name)") }
            // ORCPT=rfc822;user@example.com (xtext).
            let parts = value.split(separator: ";", maxSplits: 1)
            if parts.count == 2 { original = String(parts[1]).xtextDecoded }
        }
        switch await backend.resolveRecipient(address, originalRecipient: original, session: sessionInfo(helo: helo)) {
        case .accepted(let recipient):
            guard case .transaction(let helo, var transaction) = state else { return }
            transaction.recipients.append(recipient)
            state = .transaction(helo: helo, transaction)
            send(250, "2.1.5 OK")
        case .unknown:
            send(550, "5.1.1 <\(address)> User doesn't exist: \(address)")
        case .temporaryFailure:
            send(451, "4.3.0 <\(address)> Temporary internal error")
        }
    }

    /// RSET: the transaction, with any body received so far, is forgotten.
    func rset() {
        if case .transaction(let helo, _) = state { state = .ready(helo: helo) }
        send(250, "2.0.0 OK")
    }
}
