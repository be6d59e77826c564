import MailModel
import MetaCache
import Primitives

/// A search over one mailbox, in storage terms. The IMAP session turns sequence numbers, \Recent
/// and SEARCHRES into UID sets before it gets here; everything else maps one to one.
public indirect enum SearchQuery: Sendable, Equatable {
    case all
    case uids(UIDSet)
    /// The system flags all set (`set: true`) or all clear.
    case flags(MessageFlags, set: Bool)
    case keyword(String, set: Bool)
    case larger(Int64)
    case smaller(Int64)
    case internalDate(DayComparison)
    /// The Date: header's day, as written (its own time zone).
    case sentDate(DayComparison)
    case saveDate(DayComparison)
    /// INTERNALDATE at least this many seconds before now (RFC 5032 OLDER).
    case older(seconds: Int64)
    case younger(seconds: Int64)
    /// A header field containing the text (case-insensitive, RFC 2047-decoded); "" matches any
    /// message that has the field.
    case header(name: String, contains: String)
    /// SEARCH FROM/TO/CC/BCC: an address field containing the text, compared with the address list in
    /// canonical form (`"Display Name" <local@domain>`, display names decoded), as Dovecot compares it, so
    /// the display name, local part, domain and whole address all match however the header wrote them.
    case address(field: String, contains: String)
    /// SEARCH SUBJECT: the Subject field with each run of blanks compressed to one space (leading ones
    /// dropped) before it is decoded and compared, as Dovecot compares it; HEADER SUBJECT is `.header`.
    case subject(String)
    case body(String)
    case text(String)
    case modSeqAtLeast(Int64)
    case not(SearchQuery)
    case or(SearchQuery, SearchQuery)
    case and([SearchQuery])

    /// Whether deciding needs the message's header fields or text; flags, sizes, dates and UIDs come
    /// from the index row alone, so such searches skip decoding every row's cached fields.
    var readsMessage: Bool {
        switch self {
        case .sentDate, .header, .address, .subject, .body, .text: true
        case .not(let inner): inner.readsMessage
        case .or(let left, let right): left.readsMessage || right.readsMessage
        case .and(let queries): queries.contains { $0.readsMessage }
        case .all, .uids, .flags, .keyword, .larger, .smaller, .internalDate, .saveDate, .older, .younger, .modSeqAtLeast: false
        }
    }
}

/// BEFORE/ON/SINCE: a calendar day, compared disregarding time of day.
public struct DayComparison: Sendable, Equatable {
    public enum Relation: Sendable, Equatable { case before, on, since }

    public var relation: Relation
    public var day: CivilDate

    public init(_ relation: Relation, _ day: CivilDate) {
        self.relation = relation
        self.day = day
    }

    func matches(_ other: CivilDate) -> Bool {
        switch relation {
        case .before: return other < day
        case .on: return other == day
        case .since: return other >= day
        }
    }
}
