import NIOCore

extension LMTPSession {
    /// LHLO: the capabilities; any transaction is forgotten.
    func lhlo(_ domain: String) {
        state = .ready(helo: domain)
        let capabilities =
            [configuration.hostname] + LMTPTransportCommands.capabilities(transport)
            + ["8BITMIME", "CHUNKING", "ENHANCEDSTATUSCODES", "PIPELINING", "SIZE \(configuration.maxMessageSize)", "SMTPUTF8"]
        send(LMTPReply(code: 250, lines: capabilities))
    }

    /// STARTTLS (RFC 3207): the go-ahead is the last clear-text line; anything pipelined behind the command in
    /// clear text is dropped, and LHLO is needed again.
    func startTLS() async {
        if case .transaction = state { return send(503, "5.5.1 STARTTLS not allowed in a transaction") }
        guard transport.canStartTLS, let tls = transport.security.tls else { return send(502, "5.5.1 TLS is not available") }
        await flush()
        var reply = channel.allocator.buffer(capacity: 40)
        reply.writeString(LMTPReply(220, "2.0.0 Begin TLS negotiation now.").wire)
        transport.startingTLS()
        state = .awaitingLHLO
        let inputs = self.inputs
        do {
            try await TLSUpgrade.startTLS(
                on: channel, context: tls.context, reply: reply, makeFramer: makeFramer,
                onEstablished: { inputs.yield(.tlsEstablished) }
            ).get()
        } catch {
            logger.error("STARTTLS failed: \(error)")
            state = .closing
        }
    }

    /// Postfix's XCLIENT from a trusted peer: the client's address and HELO as the proxy saw them; LHLO again.
    func xclient(_ fields: [String: String]) {
        if case .transaction = state { return send(503, "5.5.1 XCLIENT not allowed in a transaction") }
        guard transport.applyXClient(fields) else { return send(550, "5.7.0 You are not from trusted IP") }
        logger.debug("XCLIENT: \(transport.client.logFields)")
        state = .awaitingLHLO
        send(220, "\(configuration.hostname) ObjectMail ready.")
    }
}
