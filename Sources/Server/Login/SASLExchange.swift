import Auth
import Foundation

/// One server-side SASL exchange for the mechanisms this server offers, PLAIN (RFC 4616) and LOGIN
/// (the obsolete one old Outlooks still use), independent of the protocol carrying it: IMAP's
/// AUTHENTICATE and POP3's AUTH both send the challenges and feed back the client's lines.
struct SASLExchange: Sendable, Equatable {
    enum Mechanism: String, Sendable, CaseIterable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    enum Step: Sendable, Equatable {
        /// Send this base64 challenge and wait for the client's next line.
        case challenge(String)
        /// The exchange is complete: check these credentials.
        case credentials(user: String, password: String)
        case failed(Failure)
    }

    enum Failure: Sendable, Equatable {
        /// The client sent `*`.
        case aborted
        case invalidBase64
        /// PLAIN's response does not hold authzid, authcid and password.
        case malformed
        /// PLAIN asked to act as another user, and no master users are configured.
        case authorizationDenied
    }

    private enum State: Sendable, Equatable {
        case plain
        case loginUser
        case loginPassword(user: String)
    }

    let mechanism: Mechanism
    private var state: State
    /// `auth_master_user_separator`: PLAIN with an authzid other than the authcid logs the authcid in as a
    /// master user acting for the authzid (`authzid<separator>authcid`, as Dovecot does); empty: refused.
    private let masterUserSeparator: String

    /// nil for a mechanism this server does not offer (the name is case-insensitive).
    init?(mechanism name: String, masterUserSeparator: String = "") {
        guard let mechanism = Mechanism(rawValue: name.uppercased()) else { return nil }
        self.mechanism = mechanism
        self.masterUserSeparator = masterUserSeparator
        state = mechanism == .plain ? .plain : .loginUser
    }

    /// The first step: the initial response (SASL-IR, RFC 4959 / RFC 5034) when the client sent
    /// one, else the first challenge.
    mutating func start(initialResponse: String?) -> Step {
        if let initialResponse { return respond(initialResponse) }
        switch state {
        case .plain: return .challenge("")
        case .loginUser: return .challenge("VXNlcm5hbWU6") // "Username:"
        case .loginPassword: return .challenge("UGFzc3dvcmQ6") // "Password:"
        }
    }

    /// The client's answer to the last challenge (a base64 line, `=` for empty, `*` to abort).
    mutating func respond(_ line: String) -> Step {
        if line == "*" { return .failed(.aborted) }
        let encoded = line == "=" ? "" : line
        guard let data = Data(base64Encoded: encoded) else { return .failed(.invalidBase64) }
        switch state {
        case .loginUser:
            state = .loginPassword(user: String(decoding: data, as: UTF8.self))
            return .challenge("UGFzc3dvcmQ6") // "Password:"
        case .loginPassword(let user):
            return .credentials(user: user, password: String(decoding: data, as: UTF8.self))
        case .plain:
            let fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 3, !fields[1].isEmpty else { return .failed(.malformed) }
            guard fields[0].isEmpty || fields[0] == fields[1] else {
                // A master user (e.g. a trusted proxy's) logging in as the authzid.
                guard !masterUserSeparator.isEmpty else { return .failed(.authorizationDenied) }
                return .credentials(user: fields[0] + masterUserSeparator + fields[1], password: fields[2])
            }
            return .credentials(user: fields[1], password: fields[2])
        }
    }
}

extension SASLExchange {
    /// The mechanisms `auth_mechanisms` offers, in this server's order (PLAIN first).
    static func offered(by authenticator: Authenticator) -> [Mechanism] {
        Mechanism.allCases.filter { authenticator.mechanisms.contains($0.rawValue) }
    }

    /// nil for a mechanism this server does not implement or `auth_mechanisms` does not offer.
    init?(mechanism name: String, offeredBy authenticator: Authenticator) {
        guard let mechanism = Mechanism(rawValue: name.uppercased()), Self.offered(by: authenticator).contains(mechanism) else { return nil }
        self.init(mechanism: mechanism.rawValue, masterUserSeparator: authenticator.masterUserSeparator)
    }
}
