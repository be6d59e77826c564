import Config
import IMAPProtocol

/// What one session did, for the `imap_logout_format` line at its end (Dovecot's counters).
struct IMAPSessionStatistics: Sendable {
    /// Messages this session marked \Deleted with STORE.
    var deleted = 0
    /// Messages this session expunged (EXPUNGE, UID EXPUNGE, CLOSE).
    var expunged = 0
    /// Messages this session copied or moved into the \Trash special-use mailbox.
    var trashed = 0
    /// Messages sent with header data only, and those bytes.
    var fetchHeaderCount = 0
    var fetchHeaderBytes = 0
    /// Messages sent with body data, and those bytes.
    var fetchBodyCount = 0
    var fetchBodyBytes = 0

    /// Counts one FETCH response: header-only sections count as headers, anything with body text as body.
    mutating func noteFetch(_ items: [FetchItem]) {
        var headerBytes = 0
        var bodyBytes = 0
        var sentHeader = false
        var sentBody = false
        for item in items {
            switch item {
            case .rfc822Header(let data):
                sentHeader = true
                headerBytes += data?.readableBytes ?? 0
            case .rfc822(let data), .rfc822Text(let data):
                sentBody = true
                bodyBytes += data?.readableBytes ?? 0
            case .bodySection(let spec, _, let data):
                switch spec.kind {
                case .header, .headerFields, .headerFieldsNot, .mime:
                    sentHeader = true
                    headerBytes += data?.readableBytes ?? 0
                case .complete, .text:
                    sentBody = true
                    bodyBytes += data?.readableBytes ?? 0
                }
            case .binary(_, _, let data):
                sentBody = true
                bodyBytes += data?.readableBytes ?? 0
            default:
                continue
            }
        }
        if sentHeader {
            fetchHeaderCount += 1
            fetchHeaderBytes += headerBytes
        }
        if sentBody {
            fetchBodyCount += 1
            fetchBodyBytes += bodyBytes
        }
    }

    /// The configured format expanded; a template error falls back to Dovecot's default, so a typo never hides the line.
    func logoutText(format: String, received: Int, sent: Int, session: String) -> String {
        var expander = VariableExpander(values: [
            "input": String(received), "output": String(sent), "session": session,
            "deleted": String(deleted), "expunged": String(expunged), "trashed": String(trashed),
            "fetch_hdr_count": String(fetchHeaderCount), "fetch_hdr_bytes": String(fetchHeaderBytes),
            "fetch_body_count": String(fetchBodyCount), "fetch_body_bytes": String(fetchBodyBytes),
            // Dovecot 2.3 has no autoexpunge here; the variable exists so configurations copied from it load.
            "autoexpunged": "0"
        ])
        expander.letters = ["i": "input", "o": "output"]
        if let text = try? expander.expand(format) { return text }
        return (try? expander.expand(IMAPConfiguration.defaultLogoutFormat)) ?? "in=\(received) out=\(sent)"
    }
}
