import Config

/// What a driver knows about the lookup: the (formatted) user and where the login comes from.
struct LookupContext: Sendable {
    var user: String
    var service: String
    var remoteIP: String?
    var localIP: String?
    /// userdb_* fields from the passdb that authenticated this login (nil outside a login, e.g. LMTP).
    var prefetched: [String: String]?
    /// The login came over TLS or a local connection: `%{secured}` expands to "secured", else to nothing.
    var secured = false

    /// `%u %n %d %s %r %l` and `%{rip}`-style long names for templates.
    var expander: VariableExpander { expander(escaping: { $0 }) }

    /// The same variables with every value passed through `escape` first (SQL quoting).
    func expander(escaping escape: (String) -> String) -> VariableExpander {
        var extra: [String: String] = ["rip": escape(remoteIP ?? ""), "lip": escape(localIP ?? "")]
        extra["real_rip"] = extra["rip"]
        extra["real_lip"] = extra["lip"]
        extra["secured"] = secured ? "secured" : ""
        return VariableExpander.forUser(escape(user), service: escape(service), extra: extra)
    }

    func with(user: String) -> LookupContext {
        var copy = self
        copy.user = user
        return copy
    }
}
