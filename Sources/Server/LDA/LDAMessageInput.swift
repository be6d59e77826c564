/// The message as dovecot-lda reads it from stdin, fed in pieces of any size: a leading mbox `From ` line is
/// dropped (its address is the envelope sender when -f is not given, as in dovecot-lda's create_raw_stream), and
/// bare LF line ends become CRLF, the form every message is stored in here (IMAP sizes, POP3 and LMTP all count
/// CRLF; an MTA's pipe and a shell's here-document give LF).
public struct LDAMessageInput: Sendable {
    /// The address of the dropped `From ` line, if there was one.
    public private(set) var fromLineSender: String?

    private enum Phase: Sendable {
        /// Fewer than five bytes seen: whether the input starts with "From " is not known yet (they are in `held`).
        case start
        /// Inside the `From ` line (its first bytes are in `held`, for the sender).
        case fromLine
        case body
    }

    private var phase = Phase.start
    private var held: [UInt8] = []
    private var lastWasCR = false

    private static let fromPrefix = Array("From ".utf8)
    /// Enough of the `From ` line for the address; the rest of an absurdly long line is skipped.
    private static let fromLineKept = 1024

    public init() {}

    /// The converted bytes of `piece` that can be given out now.
    public mutating func feed(_ piece: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(piece.count + piece.count / 32 + Self.fromPrefix.count)
        var index = piece.startIndex
        while index < piece.endIndex && phase != .body {
            let byte = piece[index]
            index += 1
            if phase == .start {
                held.append(byte)
                guard held.count == Self.fromPrefix.count else { continue }
                if held == Self.fromPrefix {
                    phase = .fromLine
                    held = []
                } else {
                    phase = .body
                    held.forEach { convert($0, into: &output) }
                    held = []
                }
            } else if byte == UInt8(ascii: "\n") {
                fromLineSender = Self.sender(inFromLine: held)
                phase = .body
                held = []
            } else if held.count < Self.fromLineKept {
                held.append(byte)
            }
        }
        while index < piece.endIndex {
            convert(piece[index], into: &output)
            index += 1
        }
        return output
    }

    /// What is still held at the end of the input: a message shorter than "From ", or a `From ` line without a
    /// line end (nothing follows it: an empty message).
    public mutating func finish() -> [UInt8] {
        var output: [UInt8] = []
        if phase == .start { held.forEach { convert($0, into: &output) } }
        if phase == .fromLine { fromLineSender = Self.sender(inFromLine: held) }
        phase = .body
        held = []
        return output
    }

    private mutating func convert(_ byte: UInt8, into output: inout [UInt8]) {
        if byte == UInt8(ascii: "\n") && !lastWasCR { output.append(UInt8(ascii: "\r")) }
        output.append(byte)
        lastWasCR = byte == UInt8(ascii: "\r")
    }

    /// `From sender@example.com  Thu Dec  5 10:00:00 2024` (after "From "): the first word, without a trailing CR.
    private static func sender(inFromLine line: [UInt8]) -> String? {
        let word = line.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
        return word.isEmpty ? nil : String(decoding: word, as: UTF8.self)
    }
}
