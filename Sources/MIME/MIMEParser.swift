/// Splits a message into its MIME parts. Iterative (an explicit work list, never recursion), bounded by
/// `MIMELimits`, and total: every input, however broken, yields a structure.
enum MIMEParser {
    static func parse(_ buffer: UnsafeRawBufferPointer, limits: MIMELimits) -> MessageStructure {
        var builder = Builder(buffer: buffer, limits: limits)
        builder.addPart(headerStart: 0, end: buffer.count, parent: nil, depth: 0, isMessageRoot: true, inDigest: false)
        var work = [0]
        while let index = work.popLast() {
            work += builder.expand(index)
        }
        let lines = LineIndex(buffer)
        for i in builder.parts.indices {
            let p = builder.parts[i]
            builder.parts[i].bodyLines = lines.lines(p.bodyStart..<p.end)
            builder.parts[i].virtualBodySize = lines.virtualSize(p.bodyStart..<p.end)
            builder.parts[i].virtualHeaderSize = lines.virtualSize(p.headerStart..<p.bodyStart)
        }
        return MessageStructure(parts: builder.parts, physicalSize: buffer.count, virtualSize: lines.virtualSize(0..<buffer.count))
    }

    private struct Builder {
        let buffer: UnsafeRawBufferPointer
        let limits: MIMELimits
        var parts: [MIMEPart] = []
        var depths: [Int] = []
        var boundaries: [Bytes?] = []

        init(buffer: UnsafeRawBufferPointer, limits: MIMELimits) {
            self.buffer = buffer
            self.limits = limits
        }

        /// Parses the header of a part and appends it; its body is split later by `expand`.
        @discardableResult
        mutating func addPart(headerStart: Int, end: Int, parent: Int?, depth: Int, isMessageRoot: Bool, inDigest: Bool) -> Int {
            let header = HeaderBlock.parse(buffer, start: headerStart, end: end)
            var fields = PartHeaderFields(header: header, buffer: buffer, inDigest: inDigest)
            var kind = MIMEPart.Kind.leaf
            var boundary: Bytes? = nil
            if fields.type.equalsIgnoringCase("multipart") {
                // Without a boundary it has no parts (shown with one empty text part), as Dovecot does.
                kind = .multipart
                boundary = fields.boundary.flatMap { $0.isEmpty ? nil : $0 }
            } else if fields.type.equalsIgnoringCase("message")
                && (fields.subtype.equalsIgnoringCase("rfc822") || fields.subtype.equalsIgnoringCase("global"))
            {
                kind = .message
            }
            // The top-level message counts as the first level, as in Dovecot's limit.
            if kind != .leaf && depth + 1 >= limits.maxNesting {
                // Beyond the limit the body is opaque; say so in the type so BODYSTRUCTURE stays well-formed.
                kind = .leaf
                boundary = nil
                fields.type = Array("application".utf8)
                fields.subtype = Array("octet-stream".utf8)
            }
            var part = MIMEPart(
                kind: kind, headerStart: headerStart, bodyStart: header.bodyStart, end: end, parent: parent,
                children: [], isMessageRoot: isMessageRoot, type: fields.type, subtype: fields.subtype,
                parameters: fields.parameters, id: fields.id, description: fields.description,
                encoding: fields.encoding, md5: fields.md5, disposition: fields.disposition,
                dispositionParameters: fields.dispositionParameters, language: fields.language,
                location: fields.location, bodyLines: 0, virtualBodySize: 0, virtualHeaderSize: 0, envelope: nil)
            if isMessageRoot { part.envelope = Envelope(header: header, buffer: buffer) }
            parts.append(part)
            depths.append(depth)
            boundaries.append(boundary)
            let index = parts.count - 1
            if let parent { parts[parent].children.append(index) }
            return index
        }

        /// The enclosing multipart gave the line ending before its next delimiter to that delimiter, but here
        /// it ends this part's close-delimiter line ("--inner--" LF "--outer"): like Dovecot, count it in this
        /// part and in the ancestors that end where it ends (a message/rfc822 around it, for instance).
        mutating func extendOverStrippedLineEnd(_ index: Int) {
            let oldEnd = parts[index].end
            guard oldEnd < buffer.count else { return }
            var newEnd = oldEnd
            if buffer[oldEnd] == ASCII.lf {
                newEnd += 1
            } else if buffer[oldEnd] == ASCII.cr, oldEnd + 1 < buffer.count, buffer[oldEnd + 1] == ASCII.lf {
                newEnd += 2
            }
            guard newEnd > oldEnd else { return }
            var i: Int? = index
            while let current = i, parts[current].end == oldEnd {
                parts[current].end = newEnd
                i = parts[current].parent
            }
        }

        /// Creates the children of a multipart or message part; returns their indices (to expand in turn).
        mutating func expand(_ index: Int) -> [Int] {
            let part = parts[index]
            let depth = depths[index]
            switch part.kind {
            case .leaf:
                return []
            case .message:
                guard parts.count < limits.maxParts else { return [] }
                let child = addPart(
                    headerStart: part.bodyStart, end: part.end, parent: index, depth: depth + 1,
                    isMessageRoot: true, inDigest: false)
                return [child]
            case .multipart:
                guard let boundary = boundaries[index] else { return [] }
                let digest = part.subtype.equalsIgnoringCase("digest")
                var added: [Int] = []
                let split = BoundaryScanner.bodyParts(buffer, from: part.bodyStart, to: part.end, boundary: boundary)
                if split.closeLineReachesEnd { extendOverStrippedLineEnd(index) }
                for range in split.parts {
                    guard parts.count < limits.maxParts else { break }
                    added.append(
                        addPart(
                            headerStart: range.lowerBound, end: range.upperBound, parent: index,
                            depth: depth + 1, isMessageRoot: false, inDigest: digest))
                }
                return added
            }
        }
    }
}

/// Finds the body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1).
enum BoundaryScanner {
    /// Ranges of the body parts. The line ending before a delimiter belongs to the delimiter. A missing close
    /// delimiter ends the last part at `to`; text after the close delimiter is the epilogue.
    /// `closeLineReachesEnd`: the close delimiter's line runs to `end` (its line ending lies beyond the range).
    static func bodyParts(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int, boundary: Bytes)
        -> (parts: [Range<Int>], closeLineReachesEnd: Bool)
    {
        var result: [Range<Int>] = []
        var closeLineReachesEnd = false
        var partStart: Int? = nil
        var pos = start
        boundary.withUnsafeBytes { needle in
            // Base64 has no '-', so memchr for '-' skips whole attachments at memory speed.
            while let dash = buffer.firstIndex(of: ASCII.dash, from: pos, to: end) {
                guard dash == start || buffer[dash - 1] == ASCII.lf,
                    dash + 1 < end, buffer[dash + 1] == ASCII.dash,
                    buffer.matches(needle, at: dash + 2, limit: end)
                else {
                    // Not a delimiter: no other on this line, so resume at the next line (lines of dashes stay cheap).
                    guard let lf = buffer.firstIndex(of: ASCII.lf, from: dash, to: end) else { break }
                    pos = lf + 1
                    continue
                }
                var j = dash + 2 + needle.count
                var isClose = false
                if j + 1 < end && buffer[j] == ASCII.dash && buffer[j + 1] == ASCII.dash {
                    isClose = true
                    j += 2
                }
                while j < end && (ASCII.isWSP(buffer[j]) || buffer[j] == ASCII.cr) { j += 1 }
                guard j >= end || buffer[j] == ASCII.lf else {
                    guard let lf = buffer.firstIndex(of: ASCII.lf, from: j, to: end) else { break }
                    pos = lf + 1
                    continue
                }
                let lineEnd = j < end ? j + 1 : end
                var delimiterStart = dash
                if dash > start && buffer[dash - 1] == ASCII.lf {
                    delimiterStart -= 1
                    if delimiterStart > start && buffer[delimiterStart - 1] == ASCII.cr { delimiterStart -= 1 }
                }
                if let s = partStart { result.append(s..<max(s, delimiterStart)) }
                if isClose {
                    partStart = nil
                    closeLineReachesEnd = j >= end
                    return
                }
                partStart = lineEnd
                pos = lineEnd
            }
        }
        if let s = partStart { result.append(s..<end) }
        return (result, closeLineReachesEnd)
    }
}
