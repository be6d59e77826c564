import Primitives

/// A search criterion (RFC 3501/9051 §6.4.4 plus CONDSTORE, WITHIN, SAVEDATE, SEARCHRES, X-GM-free).
/// A list of keys sent side by side is `.and`.
public indirect enum SearchKey: Sendable, Equatable {
    case all
    case answered, deleted, draft, flagged, new, old, recent, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    case keyword(String)
    case unkeyword(String)
    case bcc(String)
    case cc(String)
    case from(String)
    case to(String)
    case subject(String)
    case body(String)
    case text(String)
    case header(name: String, value: String)
    case before(CivilDate)
    case on(CivilDate)
    case since(CivilDate)
    case sentBefore(CivilDate)
    case sentOn(CivilDate)
    case sentSince(CivilDate)
    case savedBefore(CivilDate)
    case savedOn(CivilDate)
    case savedSince(CivilDate)
    /// SAVEDATESUPPORTED (RFC 8514): matches all messages when the mailbox stores save dates.
    case saveDateSupported
    case larger(UInt64)
    case smaller(UInt64)
    /// WITHIN (RFC 5032), in seconds.
    case older(UInt32)
    case younger(UInt32)
    case uid(SequenceSet)
    case sequence(SequenceSet)
    /// MODSEQ (RFC 7162); the optional entry name and type are accepted and kept.
    case modSeq(UInt64, entry: ModSeqEntry?)
    case emailID(String)
    case threadID(String)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    case and([SearchKey])
}

public struct ModSeqEntry: Sendable, Equatable {
    public var name: String
    /// `priv`, `shared` or `all`.
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// ESEARCH result options (RFC 4731) and SAVE (RFC 5182). An empty RETURN () means ALL.
public enum SearchReturnOption: String, Sendable, Hashable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
    /// CONTEXT=SEARCH (RFC 5267).
    case update = "UPDATE"
    case context = "CONTEXT"
    /// `PARTIAL m:n` (RFC 5267 §4.4); the range is the command's `partial`.
    case partial = "PARTIAL"
}

public struct SearchCommand: Sendable, Equatable {
    /// nil when the client sent no RETURN: answer with an old-style `* SEARCH` (IMAP4rev1) response.
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    public var key: SearchKey
    /// The range of RETURN (PARTIAL m:n), 1-based positions in the result, low end first.
    public var partial: ClosedRange<UInt32>?
    /// RETURN (UPDATE (fetch-atts)) (RFC 5465 §7): what to FETCH of a new message the update adds.
    public var updateFetch: [FetchAttribute] = []

    public init(
        returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, key: SearchKey,
        partial: ClosedRange<UInt32>? = nil
    ) {
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
        self.partial = partial
    }
}

/// SORT criteria (RFC 5256 and SORT=DISPLAY, RFC 5957).
public struct SortCriterion: Sendable, Hashable {
    public enum Key: String, Sendable, Hashable {
        case arrival = "ARRIVAL"
        case cc = "CC"
        case date = "DATE"
        case from = "FROM"
        case size = "SIZE"
        case subject = "SUBJECT"
        case to = "TO"
        case displayFrom = "DISPLAYFROM"
        case displayTo = "DISPLAYTO"
    }

    public var key: Key
    public var reverse: Bool

    public init(_ key: Key, reverse: Bool = false) {
        self.key = key
        self.reverse = reverse
    }
}

public struct SortCommand: Sendable, Equatable {
    /// ESORT (RFC 5267) when present.
    public var returnOptions: [SearchReturnOption]?
    public var criteria: [SortCriterion]
    public var charset: String
    public var key: SearchKey
    /// The range of RETURN (PARTIAL m:n), positions in sort order.
    public var partial: ClosedRange<UInt32>?
    /// RETURN (UPDATE (fetch-atts)) (RFC 5465 §7).
    public var updateFetch: [FetchAttribute] = []

    public init(
        returnOptions: [SearchReturnOption]? = nil, criteria: [SortCriterion], charset: String, key: SearchKey,
        partial: ClosedRange<UInt32>? = nil
    ) {
        self.returnOptions = returnOptions
        self.criteria = criteria
        self.charset = charset
        self.key = key
        self.partial = partial
    }
}

public enum ThreadAlgorithm: String, Sendable, Hashable {
    case orderedSubject = "ORDEREDSUBJECT"
    case references = "REFERENCES"
    case refs = "REFS"
}

public struct ThreadCommand: Sendable, Equatable {
    public var algorithm: ThreadAlgorithm
    public var charset: String
    public var key: SearchKey

    public init(algorithm: ThreadAlgorithm, charset: String, key: SearchKey) {
        self.algorithm = algorithm
        self.charset = charset
        self.key = key
    }
}

/// The charsets SEARCH, SORT and THREAD accept: text is compared as UTF-8 (I18NLEVEL=1, i;unicode-casemap), and
/// US-ASCII is its subset. The parser holds search strings of these to be UTF-8; the session refuses any other
/// charset with NO [BADCHARSET].
public enum SearchCharsets {
    public static let supported = ["UTF-8", "US-ASCII"]

    /// No CHARSET means UTF-8 (RFC 9051) or US-ASCII (RFC 3501): supported either way.
    public static func isSupported(_ name: String?) -> Bool {
        guard let name else { return true }
        return supported.contains(name.uppercased())
    }
}
