import CLDAP
import Foundation

/// One LDAP entry: its DN and attribute values.
struct LDAPEntry: Sendable, Equatable {
    var dn: String
    var attributes: [String: [String]]
}

/// One libldap connection with the synchronous API, used only from `BlockingPool` threads (the lock keeps
/// one operation at a time). Opened and bound on first use; reopened once when the server went away.
final class LDAPConnection: @unchecked Sendable {
    enum BindResult { case ok, invalidCredentials, noSuchObject }

    private let config: LDAPConfig
    private let lock = NSLock()
    // Guarded by `lock`.
    private var handle: OpaquePointer?

    init(config: LDAPConfig) {
        self.config = config
    }

    deinit {
        if let handle { ldap_unbind_ext_s(handle, nil, nil) }
    }

    /// Searches as the configured `dn` (or anonymously).
    func search(base: String, scope: LDAPConfig.Scope, filter: String, attributes: [String]) throws -> [LDAPEntry] {
        try lock.withLock {
            try retrying { ld in
                if handleNeedsServiceBind {
                    let status = simpleBind(ld, dn: config.dn, password: config.dnpass)
                    guard status == LDAP_SUCCESS else { throw error(status, "bind as \(config.dn.isEmpty ? "anonymous" : config.dn)") }
                    handleNeedsServiceBind = false
                }
                return try searchBound(ld, base: base, scope: scope, filter: filter, attributes: attributes)
            }
        }
    }

    /// Binds as `dn` with `password` (auth_bind): the server checks the password.
    func bind(dn: String, password: String) throws -> BindResult {
        // An empty password would make an unauthenticated bind, which "succeeds" (RFC 4513 5.1.2).
        guard !password.isEmpty, !dn.isEmpty else { return .invalidCredentials }
        return try lock.withLock {
            try retrying { ld in
                let status = simpleBind(ld, dn: dn, password: password)
                switch status {
                case LDAP_SUCCESS: return .ok
                case LDAP_INVALID_CREDENTIALS, LDAP_INAPPROPRIATE_AUTH: return .invalidCredentials
                case LDAP_NO_SUCH_OBJECT, LDAP_INVALID_DN_SYNTAX: return .noSuchObject
                default: throw error(status, "bind")
                }
            }
        }
    }

    // Guarded by `lock`: a bind for auth_bind changes who this connection is.
    private var handleNeedsServiceBind = true

    private func retrying<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        do {
            return try body(try open())
        } catch let failure as LDAPFailure where failure.status == LDAP_SERVER_DOWN || failure.status == LDAP_CONNECT_ERROR {
            close()
            return try body(try open())
        }
    }

    private func simpleBind(_ ld: OpaquePointer, dn: String, password: String) -> Int32 {
        var bytes = Array(password.utf8).map { CChar(bitPattern: $0) }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var credentials = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.baseAddress)
            return ldap_sasl_bind_s(ld, dn, cldap_sasl_simple(), &credentials, nil, nil, nil)
        }
    }

    private func searchBound(
        _ ld: OpaquePointer, base: String, scope: LDAPConfig.Scope, filter: String,
        attributes: [String]
    ) throws -> [LDAPEntry] {
        let scopeValue: Int32
        switch scope {
        case .base: scopeValue = cldap_scope_base()
        case .onelevel: scopeValue = cldap_scope_onelevel()
        case .subtree: scopeValue = cldap_scope_subtree()
        }
        var names = attributes.map { strdup($0) } + [nil]
        defer { names.forEach { free($0) } }
        var timeout = timeval(tv_sec: config.timeoutSeconds, tv_usec: 0)
        var message: OpaquePointer?
        let status = ldap_search_ext_s(ld, base, scopeValue, filter, &names, 0, nil, nil, &timeout, 0, &message)
        defer { ldap_msgfree(message) }
        guard status == LDAP_SUCCESS || status == LDAP_NO_SUCH_OBJECT else { throw error(status, "search \(filter)") }
        var entries: [LDAPEntry] = []
        var entry = ldap_first_entry(ld, message)
        while let current = entry {
            var dn = ""
            if let raw = ldap_get_dn(ld, current) {
                dn = String(cString: raw)
                ldap_memfree(raw)
            }
            var values: [String: [String]] = [:]
            for attribute in attributes {
                guard let list = ldap_get_values_len(ld, current, attribute) else { continue }
                var index = 0
                while let value = list[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    values[attribute, default: []].append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                ldap_value_free_len(list)
            }
            entries.append(LDAPEntry(dn: dn, attributes: values))
            entry = ldap_next_entry(ld, current)
        }
        return entries
    }

    private func open() throws -> OpaquePointer {
        if let handle { return handle }
        var ld: OpaquePointer?
        let status = ldap_initialize(&ld, config.uris.joined(separator: " "))
        guard status == LDAP_SUCCESS, let ld else { throw error(status, "initialise \(config.uris.joined(separator: " "))") }
        var version: Int32 = 3
        ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version)
        var networkTimeout = timeval(tv_sec: config.timeoutSeconds, tv_usec: 0)
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &networkTimeout)
        ldap_set_option(ld, LDAP_OPT_REFERRALS, nil)
        if !config.tlsCACertFile.isEmpty { ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, config.tlsCACertFile) }
        if let requirement = Self.tlsRequirement(config.tlsRequireCert) {
            var value = requirement
            ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &value)
        }
        var newContext: Int32 = 0
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &newContext)
        if config.tls {
            let tlsStatus = ldap_start_tls_s(ld, nil, nil)
            guard tlsStatus == LDAP_SUCCESS else {
                ldap_unbind_ext_s(ld, nil, nil)
                throw error(tlsStatus, "STARTTLS")
            }
        }
        handle = ld
        handleNeedsServiceBind = true
        return ld
    }

    private static func tlsRequirement(_ text: String) -> Int32? {
        switch text {
        case "never": return LDAP_OPT_X_TLS_NEVER
        case "hard": return LDAP_OPT_X_TLS_HARD
        case "demand": return LDAP_OPT_X_TLS_DEMAND
        case "allow": return LDAP_OPT_X_TLS_ALLOW
        case "try": return LDAP_OPT_X_TLS_TRY
        default: return nil
        }
    }

    private func close() {
        if let handle { ldap_unbind_ext_s(handle, nil, nil) }
        handle = nil
    }

    private func error(_ status: Int32, _ context: String) -> LDAPFailure {
        LDAPFailure(status: status, message: "ldap: \(context): \(String(cString: ldap_err2string(status)))")
    }
}

struct LDAPFailure: Error, CustomStringConvertible {
    var status: Int32
    var message: String
    var description: String { message }
}
