/// Everything the parser learns about a message, independent of its bytes: the part tree with byte
/// offsets, sizes and envelopes. Kept in the index (via `CachedMessageFields`) so that ENVELOPE, BODY,
/// BODYSTRUCTURE and sizes need no download, and so sections can be sliced from the raw bytes without a reparse.
public struct MessageStructure: Sendable, Hashable {
    /// Parents come before their children; `parts[0]` is the message itself.
    public var parts: [MIMEPart]
    /// Size as stored (RFC822.SIZE is the virtual size).
    public var physicalSize: Int
    /// Size with every bare LF counted as CRLF: what RFC822.SIZE reports and what BODY[] serves.
    public var virtualSize: Int

    public var root: MIMEPart { parts[0] }
    public var envelope: Envelope { parts[0].envelope ?? Envelope() }

    /// For a message/rfc822 (or message/global) part: the envelope of the message it encapsulates.
    public func encapsulatedEnvelope(ofPart index: Int) -> Envelope? {
        parts[index].kind == .message ? parts[index].children.first.flatMap { parts[$0].envelope } : nil
    }

    public static func parse(_ bytes: Bytes, limits: MIMELimits = .default) -> MessageStructure {
        bytes.withUnsafeBytes { parse($0, limits: limits) }
    }

    public static func parse(_ buffer: UnsafeRawBufferPointer, limits: MIMELimits = .default) -> MessageStructure {
        MIMEParser.parse(buffer, limits: limits)
    }

    /// Leaf parts in document order (multipart containers skipped, encapsulated messages descended into).
    public func leafParts() -> [Int] {
        var out: [Int] = []
        var stack = [0]
        while let i = stack.popLast() {
            let p = parts[i]
            if p.kind == .leaf { out.append(i) } else { stack += p.children.reversed() }
        }
        return out
    }
}

/// A parsed message: the raw bytes plus their structure. Parse once at delivery; cache `cachedFields()`.
public struct MIMEMessage: Sendable {
    public let bytes: Bytes
    public let structure: MessageStructure

    public init(bytes: Bytes, structure: MessageStructure) {
        self.bytes = bytes
        self.structure = structure
    }

    public static func parse(_ bytes: Bytes, limits: MIMELimits = .default) -> MIMEMessage {
        MIMEMessage(bytes: bytes, structure: MessageStructure.parse(bytes, limits: limits))
    }

    public var envelope: Envelope { structure.envelope }
    public var physicalSize: Int { structure.physicalSize }
    /// RFC822.SIZE.
    public var virtualSize: Int { structure.virtualSize }

    /// The top-level header fields.
    public var header: HeaderBlock { HeaderBlock.parse(bytes, start: 0, end: structure.root.end) }
}
