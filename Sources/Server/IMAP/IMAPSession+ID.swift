import IMAPProtocol

/// ID (RFC 2971), and the client identity a trusted proxy forwards in it.
extension IMAPSession {
    /// ID from a trusted proxy: x-originating-ip/port, x-connected-ip/port and x-session-id replace the
    /// connection's view of the client (logs, penalties, mail_max_userip_connections).
    func acceptForwardedID(_ parameters: [IDParameter]?) {
        guard user == nil, let parameters else { return }
        let fields = parameters.compactMap { parameter in parameter.value.map { (name: parameter.key, value: $0) } }
        guard transport.applyForwarded(fields) else { return }
        if let session = transport.client.forwardedSessionID { logger[metadataKey: "session"] = "\(session)" }
        logger.debug("client forwarded by a trusted proxy: \(transport.client.logFields)")
    }
}
