extension LMTPSession {
    /// DATA: true when answered 354 (the framer then reads the body), false when refused (the next lines are
    /// commands).
    func data() -> Bool {
        guard case .transaction(let helo, var transaction) = state else {
            send(503, "5.5.1 MAIL needed first")
            return false
        }
        guard case .envelope = transaction.body else {
            send(503, "5.5.1 DATA cannot be used with BDAT")
            return false
        }
        guard !transaction.recipients.isEmpty else {
            send(503, "5.5.1 No valid recipients")
            return false
        }
        transaction.body = .data(LMTPBody())
        state = .transaction(helo: helo, transaction)
        send(354, "OK")
        return true
    }

    /// BDAT (RFC 3030): the chunk's bytes follow in any case; a refused chunk is read and dropped, then answered.
    func bdat(size: Int, last: Bool) {
        guard case .transaction(let helo, var transaction) = state else {
            state = .discardingChunk(reply: LMTPReply(503, "5.5.1 MAIL needed first"), after: state)
            return
        }
        guard !transaction.recipients.isEmpty else {
            state = .discardingChunk(reply: LMTPReply(503, "5.5.1 No valid recipients"), after: state)
            return
        }
        guard size <= configuration.maxMessageSize else {
            // A chunk larger than any message we take: reading it to find the next command could mean gigabytes,
            // so answer now and close. (A smaller chunk that only makes the message too big is read, dropped and
            // answered 552 at its end, and the session goes on.)
            send(552, "5.3.4 Message too big for system")
            state = .closing
            return
        }
        let body: LMTPBody
        switch transaction.body {
        case .envelope, .data: body = LMTPBody()
        case .chunks(let received, _): body = received
        }
        // The state lets go of the body first, so its bytes are not copied when they are added to.
        state = .ready(helo: helo)
        transaction.body = .chunks(body, .arriving(last: last))
        state = .transaction(helo: helo, transaction)
    }

    /// Bytes of the DATA body or of a BDAT chunk, from the framer; `end` at the end of the body or chunk.
    func receive(_ bytes: [UInt8], end: Bool) async {
        switch state {
        case .discardingChunk(let reply, let after):
            if end {
                send(reply)
                state = after
            }
        case .transaction(let helo, var transaction):
            // The state lets go of the transaction while the bytes are added, so they are appended in place.
            state = .ready(helo: helo)
            switch transaction.body {
            case .data(var body):
                transaction.body = .envelope
                body.append(bytes, limit: configuration.maxMessageSize)
                if end { return await deliver(transaction, body: body, helo: helo) }
                await spill(&body)
                transaction.body = .data(body)
            case .chunks(var body, .arriving(let last)):
                transaction.body = .envelope
                body.append(bytes, limit: configuration.maxMessageSize)
                if end && last { return await deliver(transaction, body: body, helo: helo) }
                if end && body.status == .tooBig {
                    // The transaction ends here (the message can no longer be taken); the session goes on.
                    return send(552, "5.3.4 Message too big for system")
                }
                await spill(&body)
                if end { send(250, "2.0.0 \(body.size) octets received") }
                transaction.body = .chunks(body, end ? .between : .arriving(last: last))
            case .envelope, .chunks(_, .between):
                break
            }
            state = .transaction(helo: helo, transaction)
        case .awaitingLHLO, .ready, .closing:
            break
        }
    }
}
