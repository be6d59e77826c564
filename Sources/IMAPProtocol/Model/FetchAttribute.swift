/// What FETCH asks for. The macros ALL, FAST and FULL are expanded by the parser.
public enum FetchAttribute: Sendable, Hashable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// `BODY` without a section: the non-extensible body structure.
    case bodyStructure(extensible: Bool)
    case uid
    /// `BODY[section]<partial>` and `BODY.PEEK[…]` (peek does not set \Seen).
    case bodySection(SectionSpec, partial: PartialRange?, peek: Bool)
    /// `BINARY[part]<partial>` and `BINARY.PEEK` (RFC 3516); the part list may be empty (whole message).
    case binary(part: [UInt32], partial: PartialRange?, peek: Bool)
    case binarySize(part: [UInt32])
    case modSeq
    case saveDate
    /// PREVIEW (RFC 8970); `lazy` from `PREVIEW (LAZY)`.
    case preview(lazy: Bool)
    /// The pre-RFC 8970 draft forms Dovecot 2.3 still advertises: `SNIPPET (FUZZY)` (SNIPPET=FUZZY) and
    /// `PREVIEW (FUZZY)` (PREVIEW=FUZZY); `lazy` from a `LAZY` or `LAZY=FUZZY` modifier.
    case fuzzyPreview(FuzzyPreviewName, lazy: Bool)
    case emailID
    case threadID

    /// Macro expansions (RFC 3501 §6.4.5).
    public static let all: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    public static let fast: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    public static let full: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .bodyStructure(extensible: false)]
}

/// `<offset.count>` after a section: the octets to return.
public struct PartialRange: Sendable, Hashable {
    public var offset: UInt32
    public var count: UInt32

    public init(offset: UInt32, count: UInt32) {
        self.offset = offset
        self.count = count
    }
}

/// A body section: part numbers (`1.2`) and what of that part.
public struct SectionSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `BODY[]` or `BODY[1.2]`: everything (for a part: its content).
        case complete
        case header
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        /// `MIME`: the part's own header; only valid with a part number.
        case mime
    }

    public var part: [UInt32]
    public var kind: Kind

    public init(part: [UInt32] = [], kind: Kind = .complete) {
        self.part = part
        self.kind = kind
    }
}

/// FETCH modifiers (RFC 7162): `(CHANGEDSINCE n VANISHED)`.
public struct FetchModifiers: Sendable, Hashable {
    public var changedSince: UInt64?
    public var vanished: Bool

    public init(changedSince: UInt64? = nil, vanished: Bool = false) {
        self.changedSince = changedSince
        self.vanished = vanished
    }
}

/// Which draft name a fuzzy preview was asked under; the answer uses the same name (`SNIPPET (FUZZY "…")`).
public enum FuzzyPreviewName: String, Sendable, Hashable {
    case snippet = "SNIPPET"
    case preview = "PREVIEW"
}
