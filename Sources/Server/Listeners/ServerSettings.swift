import Config

/// The listener and LMTP settings the server honours, with Dovecot's names and defaults.
public enum ServerSettings {
    /// Protocols this build can serve; `protocols` may name only these.
    public static let implementedProtocols = ["lmtp", "imap", "pop3", "sieve"]

    static let inetListener = SectionDefinition(
        "inet_listener", naming: .required, "A TCP listener.",
        settings: [
            SettingDefinition("address", .list, "Addresses to listen on (* for every IPv4 address, :: for IPv6); default *."),
            SettingDefinition("port", .number, default: "0", "TCP port; 0 disables the listener."),
            SettingDefinition("ssl", .bool, default: "no", "Implicit TLS on this port (imaps 993, pop3s 995); needs ssl_cert and ssl_key.")
        ])

    static let unixListener = SectionDefinition(
        "unix_listener", naming: .required,
        "A Unix socket; the name is its path (relative paths start at the start directory).",
        settings: [
            SettingDefinition("mode", .string, default: "0600", "Permissions of the socket file (octal)."),
            SettingDefinition("user", .string, "Owner of the socket file (e.g. postfix); empty keeps the server's user."),
            SettingDefinition("group", .string, "Group of the socket file; empty keeps the server's group.")
        ])

    /// `service NAME { }` settings that size Dovecot's processes: one process serves every connection here.
    static let processSettings: [SettingDefinition] = [
        SettingDefinition(
            "executable", .string,
            "The program Dovecot starts for the service; one objectmail process serves every protocol. script PATH "
                + "(a script service, e.g. quota-warning) is honoured: quota warnings run PATH directly."),
        SettingDefinition(
            "user", .string,
            "User the service's processes run as; privilege drop is a later step: the server keeps the user that started it. "
                + "A script service's program runs as this user when the server runs as root."),
        SettingDefinition(
            "group", .string,
            "Group the service's processes run as; privilege drop is a later step: the server keeps the group that started it.",
            effect: .none),
        SettingDefinition("process_limit", .number, "Most processes of the service; one process serves every connection here.", effect: .none),
        SettingDefinition(
            "process_min_avail", .number, "Processes kept waiting for connections; one process serves every connection here.",
            effect: .none),
        SettingDefinition(
            "service_count", .number, "Connections a process serves before it exits; one process serves every connection here.",
            effect: .none),
        SettingDefinition(
            "client_limit", .number, "Connections per process; one process serves every connection here (no per-process limit).",
            effect: .none),
        SettingDefinition(
            "vsz_limit", .size, "Address-space limit of each process; one process (set ulimit -v for it) serves every connection here.",
            effect: .none)
    ]

    /// Protocols a `protocol NAME { }` filter may name: the served ones, and Dovecot's others, whose filters apply
    /// to nothing until they are served (as in Dovecot when the protocol is not in `protocols`).
    static let filterProtocols = implementedProtocols + ["lda", "submission", "doveadm"]

    public static func register(in registry: inout SettingsRegistry) {
        registry.registerProtocolFilter(names: filterProtocols, overridable: ["mail_plugins", "mail_max_userip_connections"])
        registry.register([
            SettingDefinition(
                "protocols", .words(implementedProtocols), default: "lmtp", "Protocols to serve (this build: lmtp, imap, pop3, sieve: ManageSieve)."),
            SettingDefinition(
                "listen", .list, default: "*",
                "Addresses of inet_listeners that name none (* every IPv4 address, :: every IPv6 one); Dovecot's default is \"*, ::\"."),
            SettingDefinition(
                "postmaster_address", .string,
                "From: of Sieve's rejection messages; empty: postmaster@ the recipient's domain."),
            SettingDefinition(
                "submission_host", .string,
                "SMTP server (host[:port], port 25 by default) that Sieve's redirects, rejections and vacation responses "
                    + "are sent to; empty: those actions fail and the message is kept."),
            SettingDefinition(
                "sendmail_path", .string, default: "/usr/sbin/sendmail",
                "sendmail binary for mail the server sends: not used by this build (only submission_host is).", effect: .none),
            SettingDefinition("hostname", .string, "Host name in the LMTP greeting, LHLO reply and Received: header; default: the system's."),
            SettingDefinition(
                "recipient_delimiter", .string, default: "+",
                "Characters separating the user from a detail (user+detail@domain); empty disables details."),
            SettingDefinition(
                "lmtp_save_to_detail_mailbox", .bool, default: "no",
                "Deliver user+detail@domain into the mailbox named detail instead of INBOX."),
            SettingDefinition(
                "lmtp_user_concurrency_limit", .number, default: "0",
                "Deliveries to one user running at the same time; 0 means no limit."),
            SettingDefinition(
                "lda_mailbox_autocreate", .bool, default: "no",
                "Create the destination mailbox (LMTP's detail mailbox, objectmail lda's -m) when it does not exist, instead of using INBOX."),
            SettingDefinition("lda_mailbox_autosubscribe", .bool, default: "no", "Subscribe mailboxes created by lda_mailbox_autocreate."),
            SettingDefinition(
                "lda_add_delivered_to_header", .bool, default: "yes",
                "LMTP adds a Delivered-To: header with the recipient (objectmail lda, as dovecot-lda, adds none)."),
            SettingDefinition(
                "lda_original_recipient_header", .string,
                "Header (e.g. X-Original-To) to carry the original recipient (ORCPT, else RCPT TO); empty: none.")
        ])
        registry.registerPlugin([
            SettingDefinition(
                "quota_max_mail_size", .size, default: "0",
                "Largest message accepted (552 5.3.4 above it); 0: the built-in limit of 100M.")
        ])
        registry.register(
            section: SectionDefinition(
                "service", naming: .required, "Listeners of a protocol (service lmtp { … }).",
                settings: processSettings, sections: [inetListener, unixListener]))
    }
}
