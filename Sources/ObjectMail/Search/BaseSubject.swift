import Foundation
import MIME

/// RFC 5256 §2.1 "base subject": the subject decoded, case-folded to titlecase (i;unicode-casemap) and with
/// reply/forward markers and list tags removed, so "Re: [list] Fwd: Hello (fwd)" and "HELLO" compare equal.
/// The steps follow the RFC as Dovecot implements them, quirks included (a `[blob]` is removed only with
/// the optional space after it, a leader's blobs only when a `re:`/`fw:`/`fwd:` follows them), because
/// clients compare our SORT and THREAD answers with Dovecot's.
enum BaseSubject {
    /// `raw` is the Subject field with its encoded-words already decoded.
    static func extract(_ raw: String) -> (subject: String, isReplyOrForward: Bool) {
        // A NUL reads as U+FFFD, as in Dovecot's header parser (it sorts last, not first).
        let raw = raw.contains("\u{0}") ? raw.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : raw
        var text = packWhitespace(Array(UnicodeCasemap.titlecaseKey(raw).utf8))
        var start = 0
        var marked = false
        repeat {
            removeTrailers(&text, from: start, marked: &marked)
            var found: Bool
            repeat {
                found = removeLeader(text, &start, marked: &marked)
                if removeBlobIfSomethingFollows(text, &start) { found = true }
            } while found
        } while removeForwardWrapper(&text, &start, marked: &marked)
        return (String(decoding: text[start...], as: UTF8.self), marked)
    }

    /// (1) Tabs, line breaks and runs of blanks become one space.
    private static func packWhitespace(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var lastBlank = false
        for b in text {
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A {
                if !lastBlank { out.append(0x20) }
                lastBlank = true
            } else {
                out.append(b)
                lastBlank = false
            }
        }
        return out
    }

    /// (2) Trailing blanks and "(FWD)".
    private static func removeTrailers(_ text: inout [UInt8], from start: Int, marked: inout Bool) {
        let trailer = Array("(FWD)".utf8)
        var end = text.count
        while end > start {
            if text[end - 1] == 0x20 {
                end -= 1
            } else if end >= 5, Array(text[(end - 5)..<end]) == trailer {
                marked = true
                end -= 5
            } else {
                break
            }
        }
        text.removeSubrange(end...)
    }

    /// A `[blob]` (no nested `[`) and one space after it, at `index`; the index after it, or nil.
    private static func blobEnd(_ text: [UInt8], at index: Int) -> Int? {
        guard index < text.count, text[index] == UInt8(ascii: "[") else { return nil }
        var i = index + 1
        while i < text.count, text[i] != UInt8(ascii: "["), text[i] != UInt8(ascii: "]") { i += 1 }
        guard i < text.count, text[i] == UInt8(ascii: "]") else { return nil }
        i += 1
        if i < text.count, text[i] == 0x20 { i += 1 }
        return i
    }

    /// (3) One subj-leader: a leading space, or `*blob ("RE" / "FW" / "FWD") [space] [blob] ":"`.
    private static func removeLeader(_ text: [UInt8], _ start: inout Int, marked: inout Bool) -> Bool {
        var removed = false
        if start < text.count, text[start] == 0x20 {
            start += 1
            removed = true
        }
        var i = start
        while i < text.count, text[i] == UInt8(ascii: "[") {
            guard let next = blobEnd(text, at: i) else { return removed }
            i = next
        }
        func has(_ word: String) -> Bool {
            let w = Array(word.utf8)
            return i + w.count <= text.count && Array(text[i..<(i + w.count)]) == w
        }
        if has("RE") { i += 2 } else if has("FWD") { i += 3 } else if has("FW") { i += 2 } else { return removed }
        if i < text.count, text[i] == 0x20 { i += 1 }
        if i < text.count, text[i] == UInt8(ascii: "[") {
            guard let next = blobEnd(text, at: i) else { return removed }
            i = next
        }
        guard i < text.count, text[i] == UInt8(ascii: ":") else { return removed }
        start = i + 1
        marked = true
        return true
    }

    /// (4) A leading blob, when something follows it.
    private static func removeBlobIfSomethingFollows(_ text: [UInt8], _ start: inout Int) -> Bool {
        guard let next = blobEnd(text, at: start), next < text.count else { return false }
        start = next
        return true
    }

    /// (6) "[FWD:" … "]" around the rest.
    private static func removeForwardWrapper(_ text: inout [UInt8], _ start: inout Int, marked: inout Bool) -> Bool {
        let header = Array("[FWD:".utf8)
        guard start + header.count <= text.count, Array(text[start..<(start + header.count)]) == header,
            text.last == UInt8(ascii: "]")
        else { return false }
        marked = true
        text.removeLast()
        start += header.count
        return true
    }
}
