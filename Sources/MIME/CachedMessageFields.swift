/// What the storage index caches per message so that a client's first sync (ENVELOPE, BODYSTRUCTURE, BODY,
/// sizes, common headers, PREVIEW) needs no download, and BODY[section] can be sliced from the raw object
/// without reparsing.
///
/// Serialized form (`serialized()`): "OMCF", a version byte, the fields as LEB128 varints and
/// length-prefixed byte strings, then a CRC-32 of everything before it (little-endian). Readers reject
/// other versions and damaged input with a typed `CachedFieldsError`; they never trap.
public struct CachedMessageFields: Sendable, Hashable {
    public static let currentVersion: UInt8 = 1
    static let magic: Bytes = Array("OMCF".utf8)
    /// Header fields kept verbatim (unfolded) for SORT, SEARCH and THREAD.
    public static let cachedHeaderNames = ["date", "subject", "from", "to", "cc", "message-id", "in-reply-to", "references"]

    public var structure: MessageStructure
    /// (lowercased name, raw value in `HeaderField.searchValue` form) for the first occurrence of each
    /// `cachedHeaderNames` field.
    public var headers: [(name: String, value: Bytes)]
    public var preview: String?

    public init(structure: MessageStructure, headers: [(name: String, value: Bytes)], preview: String?) {
        self.structure = structure
        self.headers = headers
        self.preview = preview
    }

    public init(message: MIMEMessage) {
        let block = message.header
        var headers: [(name: String, value: Bytes)] = []
        for name in Self.cachedHeaderNames {
            if let f = block.first(name) { headers.append((name, f.searchValue(in: message.bytes))) }
        }
        self.init(structure: message.structure, headers: headers, preview: message.preview)
    }

    public var envelope: Envelope { structure.envelope }
    public var physicalSize: Int { structure.physicalSize }
    /// RFC822.SIZE.
    public var virtualSize: Int { structure.virtualSize }

    /// The cached unfolded value of a header (one of `cachedHeaderNames`).
    public func header(_ name: String) -> Bytes? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.structure == b.structure && a.preview == b.preview
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }

    public func hash(into h: inout Hasher) {
        h.combine(structure)
        h.combine(preview)
        for (n, v) in headers {
            h.combine(n)
            h.combine(v)
        }
    }
}

extension MIMEMessage {
    /// The fields to store in the index at delivery.
    public func cachedFields() -> CachedMessageFields { CachedMessageFields(message: self) }
}

public enum CachedFieldsError: Error, Sendable, Hashable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(UInt8)
    case truncated(offset: Int)
    case checksumMismatch
    case corrupt(String)

    public var description: String {
        switch self {
        case .badMagic: return "not a cached-fields record (bad magic)"
        case .unsupportedVersion(let v): return "cached-fields version \(v) is not supported (this build reads \(CachedMessageFields.currentVersion))"
        case .truncated(let o): return "cached-fields record truncated at offset \(o)"
        case .checksumMismatch: return "cached-fields record checksum mismatch"
        case .corrupt(let why): return "cached-fields record corrupt: \(why)"
        }
    }
}
