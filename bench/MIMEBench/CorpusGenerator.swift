import MIME

/// SplitMix64: a fixed seed gives the same corpus on every machine.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// Deterministic synthetic mail in three classes.
struct CorpusGenerator {
    var rng = SplitMix64(state: 0x5EED_0F0B_7EC7_A11)
    let words = [
        "mail", "server", "object", "storage", "bucket", "index", "message", "folder", "client", "sync",
        "quota", "Grüße", "réunion", "budget", "meeting", "tomorrow", "report", "the", "a", "and", "of", "to"
    ]

    mutating func sentence(_ n: Int) -> String {
        (0..<n).map { _ in words[rng.next(0...(words.count - 1))] }.joined(separator: " ")
    }

    mutating func paragraph(bytes: Int) -> String {
        var s = ""
        while s.utf8.count < bytes { s += sentence(rng.next(6...14)) + ".\r\n" }
        return s
    }

    mutating func header(_ contentType: String, id: Int) -> String {
        "Return-Path: <sender\(id)@example.net>\r\n"
            + "Received: from mx\(id % 7).example.net (mx.example.net [192.0.2.\(id % 250)])\r\n\tby mail.example.com with ESMTPS id \(id)\r\n\tfor <rcpt@example.com>; Sun, 22 Nov 2026 04:00:00 +0000\r\n"
            + "Date: Sun, 22 Nov 2026 04:\(10 + id % 50):00 +0000\r\n"
            + "From: =?UTF-8?Q?J=C3=BCrgen_Sender?= <sender\(id)@example.net>\r\n"
            + "To: Team <team@example.com>, \"Doe, Jane\" <jane@example.com>\r\n"
            + "Cc: ops@example.com\r\n"
            + "Subject: =?UTF-8?B?UsOpdW5pb24gYnVkZ2V0?= \(sentence(5))\r\n"
            + "Message-ID: <\(id).\(rng.next())@example.net>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: \(contentType)\r\n"
    }

    mutating func plain(id: Int) -> [UInt8] {
        Array(
            (header("text/plain; charset=utf-8", id: id) + "Content-Transfer-Encoding: 8bit\r\n\r\n"
                + paragraph(bytes: rng.next(2_000...30_000))).utf8)
    }

    mutating func alternative(id: Int) -> [UInt8] {
        let text = paragraph(bytes: rng.next(2_000...20_000))
        let html = "<html><body><p>" + text.replacingOccurrences(of: "\r\n", with: "</p>\r\n<p>") + "</p></body></html>\r\n"
        return Array(
            (header("multipart/alternative; boundary=\"alt-\(id)\"", id: id) + "\r\n"
                + "--alt-\(id)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text
                + "\r\n--alt-\(id)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html
                + "\r\n--alt-\(id)--\r\n").utf8)
    }

    mutating func attachments(id: Int) -> [UInt8] {
        var s = header("multipart/mixed; boundary=\"mix-\(id)\"", id: id) + "\r\n"
        s += "--mix-\(id)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + paragraph(bytes: 1_500) + "\r\n"
        var out = Array(s.utf8)
        for n in 0..<rng.next(1...3) {
            let size = rng.next(100_000...2_000_000)
            var raw = [UInt8](repeating: 0, count: size)
            var i = 0
            while i < size {
                var v = rng.next()
                for _ in 0..<8 where i < size {
                    raw[i] = UInt8(truncatingIfNeeded: v)
                    v >>= 8
                    i += 1
                }
            }
            let b64 = Base64.encode(raw)
            out += Array(
                ("--mix-\(id)\r\nContent-Type: application/pdf; name=\"file\(n).pdf\"\r\n"
                    + "Content-Disposition: attachment; filename=\"file\(n).pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").utf8)
            var j = 0
            while j < b64.count {
                out += b64[j..<min(j + 76, b64.count)]
                out += [13, 10]
                j += 76
            }
        }
        out += Array("--mix-\(id)--\r\n".utf8)
        return out
    }
}
