import Primitives

/// Content-Transfer-Encoding decoders. Both are lenient: junk is skipped or kept, never fatal.
public enum Base64 {
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    /// Decodes base64, skipping characters outside the alphabet and stopping at the first `=` pad.
    public static func decode<C: Collection>(_ input: C) -> Bytes where C.Element == UInt8 {
        var out = Bytes()
        out.reserveCapacity(input.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        table.withUnsafeBufferPointer { t in
            for c in input {
                if c == UInt8(ascii: "=") { break }
                let v = t[Int(c)]
                if v == 0xFF { continue }
                acc = (acc << 6) | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                }
            }
        }
        return out
    }

    public static func encode(_ input: Bytes) -> Bytes {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = Bytes()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest > 1 ? UInt32(input[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
            out += rest > 1 ? [alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return out
    }
}

public enum QuotedPrintable {
    /// Decodes quoted-printable. `header: true` is RFC 2047's Q encoding (`_` is a space, no soft breaks).
    /// Soft line breaks (`=` at line end) are removed, hard line breaks become CRLF, and a malformed `=`
    /// sequence is kept literally. Blanks written literally at the end of a line are dropped (RFC 2045 §6.7
    /// rule 3: transport may have added them), but encoded ones are data and stay: `--=20` is the signature
    /// separator `-- ` that mail clients look for, and Dovecot keeps it too.
    public static func decode<C: Collection>(_ input: C, header: Bool = false) -> Bytes where C.Element == UInt8, C.Index == Int {
        var out = Bytes()
        out.reserveCapacity(input.count)
        var i = input.startIndex
        let end = input.endIndex
        var literalTrailingBlanks = 0 // blanks at the end of `out` that were written as themselves
        while i < end {
            let b = input[i]
            if b == UInt8(ascii: "=") {
                if let decoded = Hex.byte(at: i + 1, in: input) {
                    out.append(decoded)
                    literalTrailingBlanks = 0
                    i += 3
                    continue
                }
                if !header {
                    // Soft line break: "=" then optional blanks, then (CR)LF or the end.
                    var j = i + 1
                    while j < end && ASCII.isWSP(input[j]) { j += 1 }
                    if j == end {
                        i = j
                        continue
                    }
                    if input[j] == ASCII.lf {
                        i = j + 1
                        literalTrailingBlanks = 0
                        continue
                    }
                    if input[j] == ASCII.cr && j + 1 < end && input[j + 1] == ASCII.lf {
                        i = j + 2
                        literalTrailingBlanks = 0
                        continue
                    }
                }
                out.append(b)
                literalTrailingBlanks = 0
                i += 1
                continue
            }
            if header && b == UInt8(ascii: "_") {
                out.append(ASCII.space)
            } else if !header && (b == ASCII.lf || b == ASCII.cr) {
                var j = i
                if b == ASCII.cr {
                    guard j + 1 < end, input[j + 1] == ASCII.lf else {
                        out.append(b)
                        literalTrailingBlanks = 0
                        i += 1
                        continue
                    }
                    j += 1
                }
                // Hard line break: drop the line's literal trailing blanks, emit CRLF.
                out.removeLast(literalTrailingBlanks)
                literalTrailingBlanks = 0
                out += [ASCII.cr, ASCII.lf]
                i = j + 1
                continue
            } else {
                out.append(b)
                literalTrailingBlanks = !header && ASCII.isWSP(b) ? literalTrailingBlanks + 1 : 0
            }
            i += 1
        }
        return out
    }
}
