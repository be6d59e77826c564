/// One node of a parsed message. Parts live in a flat array (`MessageStructure.parts`) in pre-order and
/// point to each other by index: no recursion is needed to walk, copy, free or serialize a deep tree.
public struct MIMEPart: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A single-part body (text, image, application …), or a multipart/message beyond the nesting limit.
        case leaf
        /// multipart/*: `children` are the body parts, in order.
        case multipart
        /// message/rfc822 or message/global: `children` holds exactly one part, the encapsulated message.
        case message
    }

    public var kind: Kind
    /// Offset of the part's MIME header (for an encapsulated or top-level message: of its RFC 5322 header).
    public var headerStart: Int
    /// Offset of the body (just after the empty line ending the header).
    public var bodyStart: Int
    /// Offset just after the body (the line ending before a boundary belongs to the boundary).
    public var end: Int
    public var parent: Int?
    public var children: [Int]
    /// Whether the part is itself a whole message (top level, or encapsulated in a message/rfc822 part).
    public var isMessageRoot: Bool

    /// Content-Type as written (case kept), defaulted to text/plain (message/rfc822 inside multipart/digest).
    public var type: Bytes
    public var subtype: Bytes
    public var parameters: [MIMEParameter]
    public var id: Bytes?
    public var description: Bytes?
    /// Content-Transfer-Encoding as written, nil when absent (BODYSTRUCTURE then says "7bit").
    public var encoding: Bytes?
    public var md5: Bytes?
    public var disposition: Bytes?
    public var dispositionParameters: [MIMEParameter]
    public var language: [Bytes]?
    public var location: Bytes?

    /// Number of LF in the body (IMAP "size in text lines").
    public var bodyLines: Int
    /// Body size with every bare LF counted as CRLF (what IMAP reports and serves).
    public var virtualBodySize: Int
    public var virtualHeaderSize: Int
    /// The envelope of this part when it is a message (`isMessageRoot`: top level or encapsulated). For a
    /// `.message` part, the encapsulated message's envelope is on its child: `MessageStructure.encapsulatedEnvelope(ofPart:)`.
    public var envelope: Envelope?

    public var physicalHeaderSize: Int { bodyStart - headerStart }
    public var physicalBodySize: Int { end - bodyStart }

    public func typeIs(_ type: String, _ subtype: String? = nil) -> Bool {
        guard self.type.equalsIgnoringCase(type) else { return false }
        return subtype.map { self.subtype.equalsIgnoringCase($0) } ?? true
    }

    /// The decoded value of a Content-Type parameter (RFC 2231 and RFC 2047 handled).
    public func parameter(_ name: String) -> String? {
        Self.lookup(name, in: parameters)
    }

    public func dispositionParameter(_ name: String) -> String? {
        Self.lookup(name, in: dispositionParameters)
    }

    static func lookup(_ name: String, in params: [MIMEParameter]) -> String? {
        let lower = name.lowercased()
        return params.first { $0.baseName == lower }?.decodedValue
    }

    /// The charset parameter, lowercased, "us-ascii" if absent.
    public var charset: String { parameter("charset")?.lowercased() ?? "us-ascii" }

    public var isAttachment: Bool { disposition?.equalsIgnoringCase("attachment") ?? false }

    /// The attachment's file name (Content-Disposition filename, else Content-Type name).
    public var filename: String? { dispositionParameter("filename") ?? parameter("name") }
}

/// Limits protecting the parser from hostile input (Dovecot's defaults: 100 nested parts, 10000 in total).
public struct MIMELimits: Sendable, Hashable {
    public var maxNesting: Int
    public var maxParts: Int
    public static let `default` = MIMELimits(maxNesting: 100, maxParts: 10_000)
    public init(maxNesting: Int, maxParts: Int) {
        self.maxNesting = maxNesting
        self.maxParts = maxParts
    }
}
