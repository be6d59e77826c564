/// The per-message state a selected session tracks: UID, flags, keywords, MODSEQ.
public struct MessageState: Sendable, Equatable {
    public var uid: UInt32
    public var flags: MessageFlags
    public var keywords: [String]
    public var modSeq: Int64

    public init(uid: UInt32, flags: MessageFlags, keywords: [String], modSeq: Int64) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
    }
}
