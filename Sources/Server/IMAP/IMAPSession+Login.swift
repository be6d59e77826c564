import Foundation
import IMAPProtocol
import NIOCore

extension IMAPSession {
    func login(tag: String, user name: String, password: String) async {
        let remoteIP = connection.remoteAddress?.ipAddress, localIP = connection.localAddress?.ipAddress
        let secured = remoteIP == nil || remoteIP == "127.0.0.1" || remoteIP == "::1"
        let result = await authenticator.authenticate(user: name, password: password, service: "imap", remoteIP: remoteIP,
                                                      localIP: localIP, secured: secured)
        switch result {
        case .success(let success):
            do {
                user = try await storage.user(success.user)
                userName = success.user
                logger[metadataKey: "user"] = "\(success.user)"
                logger.info("Login: user=<\(success.user)>, method=PLAIN, rip=\(remoteIP ?? "local")")
                tagged(tag, .ok, code: .capability(Self.capabilities), "Logged in")
            } catch {
                logger.error("cannot open the mail of \(success.user): \(error)")
                tagged(tag, .no, code: .unavailable, "Temporary storage failure, try again later.")
            }
        case .failure:
            tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        case .temporaryFailure:
            tagged(tag, .no, code: .unavailable, "Temporary authentication failure.")
        }
    }

    /// The SASL PLAIN message (RFC 4616): authzid NUL authcid NUL password, base64-encoded.
    func authenticateResponse(tag: String, line: String) async {
        if line == "*" { return tagged(tag, .bad, "Authentication aborted by client.") }
        let encoded = line == "=" ? "" : line
        guard let data = Data(base64Encoded: encoded) else { return tagged(tag, .bad, "Invalid base64 data in response") }
        let fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 3, !fields[1].isEmpty else {
            return tagged(tag, .no, code: .authenticationFailed, "Authentication failed.")
        }
        guard fields[0].isEmpty || fields[0] == fields[1] else {
            return tagged(tag, .no, code: .authorizationFailed, "Authorization as another user is not allowed.")
        }
        await login(tag: tag, user: fields[1], password: fields[2])
    }
}
