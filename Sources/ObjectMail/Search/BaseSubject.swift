import MIME

/// RFC 5256 §2.1 "base subject": the subject with reply/forward markers and list tags removed,
/// decoded and case-folded, so "Re: [list] Fwd: Hello (fwd)" and "hello" compare equal.
enum BaseSubject {
    static func extract(_ raw: String) -> (subject: String, isReplyOrForward: Bool) {
        var text = UnicodeCasemap.fold(raw)
        text = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
        var marked = false
        while true {
            let before = text
            // (2) trailing "(fwd)" and white space.
            while true {
                let trimmed = text.trimmingTrailingSpaces()
                if trimmed.hasSuffix("(fwd)") {
                    text = String(trimmed.dropLast(5))
                    marked = true
                } else {
                    text = trimmed
                    break
                }
            }
            // (3)+(4) leading "re:", "fw:", "fwd:" (with optional [blob]) and [blobs].
            while true {
                let stripped = stripLeader(text)
                if stripped.changed {
                    if stripped.wasReply { marked = true }
                    text = stripped.rest
                } else {
                    break
                }
            }
            // (5) "[fwd: … ]" wrapper.
            if text.hasPrefix("[fwd:"), text.hasSuffix("]") {
                text = String(text.dropFirst(5).dropLast()).trimmingLeadingSpaces()
                marked = true
            }
            if text == before { break }
        }
        return (text, marked)
    }

    /// Removes one leading `blob` or `re/fw/fwd [blob] :` from the subject.
    private static func stripLeader(_ text: String) -> (rest: String, changed: Bool, wasReply: Bool) {
        let trimmed = text.trimmingLeadingSpaces()
        for word in ["re", "fwd", "fw"] where trimmed.hasPrefix(word) {
            var rest = Substring(trimmed.dropFirst(word.count)).drop(while: { $0 == " " })
            if rest.first == "[", let close = rest.firstIndex(of: "]") {
                rest = rest[rest.index(after: close)...].drop(while: { $0 == " " })
            }
            if rest.first == ":" {
                return (String(rest.dropFirst()).trimmingLeadingSpaces(), true, true)
            }
        }
        // A leading [blob] goes only if something remains after it.
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            let rest = String(trimmed[trimmed.index(after: close)...]).trimmingLeadingSpaces()
            if !rest.isEmpty { return (rest, true, false) }
        }
        return (trimmed, trimmed != text, false)
    }
}

extension String {
    func trimmingLeadingSpaces() -> String { String(drop(while: { $0 == " " })) }

    func trimmingTrailingSpaces() -> String {
        var copy = Substring(self)
        while copy.last == " " { copy.removeLast() }
        return String(copy)
    }
}
