extension S3Configuration {
    /// Parses a Dovecot-style S3 URL: `https://ACCESSKEY:SECRET@host[:port]/[bucket/[prefix/]]?param=value&…`.
    ///
    /// Credentials are %-escaped (`foo%2Fbar` for `foo/bar`). The bucket comes from the URL path or the
    /// `bucket=` parameter (path style); without either the host name addresses the bucket (virtual-host style).
    /// Parameters: `region`, `timeout`, `connect_timeout`, `read_timeout`, `write_timeout`, `delete_timeout`,
    /// `absolute_timeout` (milliseconds, or with a unit: `500ms`, `10s`, `2m`), `max_retries`,
    /// `max_connect_retries`, `addhdr=Name:Value` (repeatable), `slow_warn`, `bulk_delete_limit`,
    /// `max_parallel`, `ssl_verify=no`. Unknown parameters are rejected so that typos do not go unnoticed.
    public init(url: String) throws(S3ConfigurationError) {
        guard let schemeEnd = url.range(of: "://") else { throw S3ConfigurationError("missing scheme") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw S3ConfigurationError("scheme must be http or https") }
        var rest = Substring(url[schemeEnd.upperBound...])

        var query = Substring("")
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        // The last `@` ends the credentials, so an unescaped `/` in a secret still parses.
        var credentials: S3Credentials?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":"),
                let accessKey = S3PercentEncoding.decode(String(userInfo[..<colon])),
                let secretKey = S3PercentEncoding.decode(String(userInfo[userInfo.index(after: colon)...])),
                !accessKey.isEmpty
            else { throw S3ConfigurationError("credentials must be ACCESSKEY:SECRET, %-escaped") }
            credentials = S3Credentials(accessKey: accessKey, secretKey: secretKey)
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let (host, port) = try Self.parseAuthority(rest[..<slash])
        let pathComponents = rest[slash...].split(separator: "/").map(String.init)

        var style = AddressingStyle.virtualHost
        var keyPrefix = ""
        if let bucket = pathComponents.first {
            style = .path(bucket: bucket)
            keyPrefix = pathComponents.dropFirst().map { $0 + "/" }.joined()
        }
        self.init(scheme: scheme, host: host, port: port, style: style, keyPrefix: keyPrefix, credentials: credentials)
        for parameter in query.split(separator: "&") where !parameter.isEmpty {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            guard let value = S3PercentEncoding.decode(parts.count > 1 ? String(parts[1]) : "") else {
                throw S3ConfigurationError("bad %-escape in parameter \(name)")
            }
            try apply(parameter: name, value: value, pathComponents: pathComponents)
        }
    }

    private mutating func apply(parameter name: String, value: String, pathComponents: [String]) throws(S3ConfigurationError) {
        switch name {
        case "region": region = value
        case "bucket":
            style = .path(bucket: value)
            keyPrefix = pathComponents.map { $0 + "/" }.joined()
        case "timeout": timeoutMs = try Self.milliseconds(value, name)
        case "connect_timeout": connectTimeoutMs = try Self.milliseconds(value, name)
        case "read_timeout": readTimeoutMs = try Self.milliseconds(value, name)
        case "write_timeout": writeTimeoutMs = try Self.milliseconds(value, name)
        case "delete_timeout": deleteTimeoutMs = try Self.milliseconds(value, name)
        case "absolute_timeout", "absolute_timeout_msecs": absoluteTimeoutMs = try Self.milliseconds(value, name)
        case "slow_warn": slowWarnMs = try Self.milliseconds(value, name)
        case "max_retries": maxRetries = try Self.count(value, name)
        case "max_connect_retries": maxConnectRetries = try Self.count(value, name)
        case "bulk_delete_limit": bulkDeleteLimit = min(try Self.count(value, name), 1000)
        case "max_parallel":
            maxInFlight = try Self.count(value, name)
            guard maxInFlight > 0 else { throw S3ConfigurationError("max_parallel must be at least 1") }
        case "ssl_verify": verifyTLS = !["no", "0", "false"].contains(value.lowercased())
        case "addhdr":
            guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else {
                throw S3ConfigurationError("addhdr must be Name:Value")
            }
            let headerName = value[..<colon].trimmingSpaces
            let headerValue = value[value.index(after: colon)...].trimmingSpaces
            additionalHeaders.append((name: headerName, value: headerValue))
        default: throw S3ConfigurationError("unknown parameter \(name)")
        }
    }

    private static func parseAuthority(_ authority: Substring) throws(S3ConfigurationError) -> (String, Int?) {
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") { // IPv6 literal
            guard let close = authority.firstIndex(of: "]") else { throw S3ConfigurationError("bad IPv6 host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw S3ConfigurationError("missing host") }
        guard let portPart else { return (hostPart.lowercased(), nil) }
        guard let port = Int(portPart), (1...65535).contains(port) else { throw S3ConfigurationError("bad port") }
        return (hostPart.lowercased(), port)
    }

    /// Dovecot's millisecond time: a bare number is milliseconds; `ms`, `s`/`sec`/`secs`, `m`/`min`/`mins` units.
    static func milliseconds(_ value: String, _ name: String) throws(S3ConfigurationError) -> Int {
        let trimmed = value.trimmingSpaces.lowercased()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces
        guard let number = Int(digits) else { throw S3ConfigurationError("\(name) must be a time") }
        switch unit {
        case "", "ms", "msec", "msecs": return number
        case "s", "sec", "secs", "second", "seconds": return number * 1000
        case "m", "min", "mins", "minute", "minutes": return number * 60_000
        default: throw S3ConfigurationError("\(name) has an unknown time unit")
        }
    }

    private static func count(_ value: String, _ name: String) throws(S3ConfigurationError) -> Int {
        guard let number = Int(value.trimmingSpaces), number >= 0 else {
            throw S3ConfigurationError("\(name) must be a non-negative number")
        }
        return number
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
