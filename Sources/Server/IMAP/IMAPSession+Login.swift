import Foundation
import IMAPProtocol
import NIOCore

extension IMAPSession {
    /// `method` is the SASL mechanism for the log (Dovecot logs the LOGIN command as PLAIN).
    func login(tag: String, user name: String, password: String, method: String) async {
        lastLoginAttempt = (name, method)
        let client = transport.client, remoteIP = client.ip, localIP = client.localIP, secured = transport.secured
        let result = await authenticator.authenticate(user: name, password: password, service: "imap", remoteIP: remoteIP,
                                                      localIP: localIP, secured: secured)
        switch result {
        case .success(let success):
            let key = "\(success.user)\u{0}\(remoteIP ?? "local")"
            // Like any Dovecot setting, the limit may come from the userdb (userdb_mail_max_userip_connections=…).
            let limit = success.userdb.fields["mail_max_userip_connections"].flatMap { Int($0) } ?? userIPConnections.limit
            guard userIPConnections.acquire(key, limit: limit) else {
                encoder.writeUntagged(.bye, "Maximum number of connections from user+IP exceeded "
                                      + "(mail_max_userip_connections=\(limit))", into: &output)
                end(.closedByServer("Maximum number of connections from user+IP exceeded"))
                return
            }
            userIPKey = key
            do {
                user = try await storage.user(success.user)
                userName = success.user
                logger[metadataKey: "user"] = "\(success.user)"
                logger.info("Login: user=<\(success.user)>, method=\(method), \(addressesForLog)\(transport.tlsActive ? ", TLS" : secured ? ", secured" : "")")
                tagged(tag, .ok, code: .capability(postLoginCapabilities), "Logged in")
                // Dovecot's imap process starts its own count after imap-login handed the client over.
                invalidCommands = 0
                scheduleInactivityCheck()
            } catch {
                userIPConnections.release(key)
                userIPKey = nil
                logger.error("cannot open the mail of \(success.user): \(error)")
                tagged(tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
            }
        case .failure:
            failedLogins += 1
            tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        case .temporaryFailure:
            tagged(tag, .no, code: .unavailable, "Temporary authentication failure.")
        }
    }

    /// Sends the continuation for the next SASL step and waits for the client's line.
    func askForAuthentication(_ pending: PendingAuthentication) {
        switch pending {
        case .plain: encoder.writeContinuation("", into: &output)
        case .loginUser: encoder.writeContinuation("VXNlcm5hbWU6", into: &output)  // "Username:"
        case .loginPassword: encoder.writeContinuation("UGFzc3dvcmQ6", into: &output)  // "Password:"
        }
        pendingAuthentication = pending
    }

    /// One SASL response: PLAIN (RFC 4616) in one step, LOGIN in two (user name, then password).
    func authenticateResponse(_ pending: PendingAuthentication, line: String) async {
        let tag = pending.tag
        if line == "*" { return tagged(tag, .bad, "Authentication aborted by client.") }
        let encoded = line == "=" ? "" : line
        guard let data = Data(base64Encoded: encoded) else { return tagged(tag, .bad, "Invalid base64 data in response") }
        switch pending {
        case .plain: break
        case .loginUser:
            return askForAuthentication(.loginPassword(tag: tag, user: String(decoding: data, as: UTF8.self)))
        case .loginPassword(_, let user):
            return await login(tag: tag, user: user, password: String(decoding: data, as: UTF8.self), method: "LOGIN")
        }
        let fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 3, !fields[1].isEmpty else {
            return tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        }
        guard fields[0].isEmpty || fields[0] == fields[1] else {
            // authzid ≠ authcid: a master user (e.g. a trusted proxy's) logging in as authzid, as Dovecot allows.
            let separator = authenticator.masterUserSeparator
            guard !separator.isEmpty else {
                return tagged(tag, .no, code: .authorizationFailed, "Authorization as another user is not allowed.")
            }
            return await login(tag: tag, user: fields[0] + separator + fields[1], password: fields[2], method: "PLAIN")
        }
        await login(tag: tag, user: fields[1], password: fields[2], method: "PLAIN")
    }
}

/// A SASL exchange waiting for the client's next line.
enum PendingAuthentication: Sendable {
    case plain(tag: String)
    case loginUser(tag: String)
    case loginPassword(tag: String, user: String)

    var tag: String {
        switch self {
        case .plain(let tag), .loginUser(let tag), .loginPassword(let tag, _): tag
        }
    }
}
