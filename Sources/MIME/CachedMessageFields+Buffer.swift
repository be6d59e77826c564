extension CachedMessageFields {
    /// Raw bytes of the preview part that are ever decoded: PREVIEW decodes at most 64 KiB of HTML (2 KiB of
    /// plain text), and quoted-printable, the widest encoding, needs at most three bytes and a soft break per
    /// 75 for each decoded byte; 256 KiB covers it.
    static let previewRawLimit = 256 * 1024

    /// The fields of a message that is not in an array: a spooled mail mapped from its file. The same
    /// result as `init(message:)`, without copying the message: the structure and the header values read the
    /// buffer in place, and PREVIEW copies only the beginning of the one part it decodes.
    public init(buffer: UnsafeRawBufferPointer, limits: MIMELimits = .default) {
        let structure = MessageStructure.parse(buffer, limits: limits)
        let block = HeaderBlock.parse(buffer, start: 0, end: structure.root.end)
        var headers: [(name: String, value: Bytes)] = []
        for name in Self.cachedHeaderNames {
            if let field = block.first(name) { headers.append((name, field.searchValue(in: buffer))) }
        }
        self.init(structure: structure, headers: headers, preview: Self.preview(of: structure, in: buffer))
    }

    /// `MessageStructure.preview(in:)` on a copy of just the part it would pick: the part rebased to offset 0
    /// and cut at `previewRawLimit` bytes of body, so a text part after a large attachment costs no copy of the
    /// attachment.
    static func preview(of structure: MessageStructure, in buffer: UnsafeRawBufferPointer) -> String? {
        for index in structure.leafParts() {
            let part = structure.parts[index]
            guard part.typeIs("text", "plain") || part.typeIs("text", "html"), !part.isAttachment else { continue }
            let end = min(part.end, part.bodyStart + previewRawLimit)
            let bytes = Bytes(buffer[part.headerStart..<end])
            var single = part
            single.headerStart = 0
            single.bodyStart = part.bodyStart - part.headerStart
            single.end = end - part.headerStart
            single.parent = nil
            single.children = []
            let alone = MessageStructure(parts: [single], physicalSize: bytes.count, virtualSize: bytes.count)
            return alone.preview(in: bytes)
        }
        return nil
    }
}
