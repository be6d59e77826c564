import IMAPProtocol
import NIOCore
import ObjectMail

/// An APPEND whose large literals go to files in `mail_temp_dir` as they arrive (`IMAPFrame.spooledLiteral`),
/// so a 60 MB message never sits in the session's memory. The command text is kept with each spooled literal
/// replaced by a short placeholder literal naming its file; the parser reads that command as usual, and
/// `append` swaps the placeholders for the files.
struct SpooledAppend {
    /// Makes placeholders unguessable, so a literal a client sends cannot pass for one.
    let secret = String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
    var command: ByteBuffer
    var spools: [SpoolFile] = []
    /// The literal being received now.
    var receiving: SpoolFile?
    /// Pieces of it not yet written: socket reads are often a few KiB, and one pool hop per piece would cost more
    /// than the write. Written once `SpooledAppend.writeSize` is reached, so this stays below it.
    var pending: [UInt8] = []
    static let writeSize = 256 * 1024
    /// Creating or writing a spool file failed: the rest is read and dropped, the APPEND answered NO [UNAVAILABLE].
    var failure: (any Error)?
    /// Refused before `+` (too big, over quota): the literal never comes.
    var refused = false

    func placeholder(_ index: Int) -> String { "OMSPOOL-\(secret)-\(index)" }

    /// The spool file a literal of the parsed command stands for, if it is a placeholder.
    func spool(for literal: ByteBuffer) -> SpoolFile? {
        guard literal.readableBytes < 80, let text = literal.getString(at: literal.readerIndex, length: literal.readableBytes) else {
            return nil
        }
        let stem = "OMSPOOL-\(secret)-"
        guard text.hasPrefix(stem), let index = Int(text.dropFirst(stem.count)), spools.indices.contains(index) else { return nil }
        return spools[index]
    }

    /// `prefix` (the command up to a large literal's announcement) with the announced length replaced by the
    /// placeholder's, followed by the placeholder.
    mutating func add(prefix: ByteBuffer) {
        let token = placeholder(spools.count)
        var bytes = Array(prefix.readableBytesView)
        // The announcement ends the prefix: `{123}`, `{123+}` or `~{123}`, then CRLF (or a bare LF).
        if let close = bytes.lastIndex(of: UInt8(ascii: "}")), let open = bytes[..<close].lastIndex(of: UInt8(ascii: "{")) {
            let plus = bytes[close - 1] == UInt8(ascii: "+")
            bytes.replaceSubrange((open + 1)..<close, with: Array("\(token.utf8.count)\(plus ? "+" : "")".utf8))
        }
        command.writeBytes(bytes)
        command.writeString(token)
    }
}

extension IMAPSession {
    /// A large APPEND literal is announced: open its spool file and ask for it.
    func spooledLiteralBegins(prefix: ByteBuffer, length: UInt64, synchronizing: Bool) async {
        if let refusal = await refusalBeforeLiteral(prefix: prefix, length: length), synchronizing {
            // Refused before the client sends a byte, as Dovecot does: no "+", the framer drops the command.
            framerControl.cancelSpooledLiteral()
            spooledAppend = nil
            tagged(IMAPCommandParser.tag(of: prefix) ?? "*", .no, code: refusal.code, refusal.text)
            return
        }
        // The previous literal of a MULTIAPPEND is complete: the rest of it goes to its file first.
        await writePendingLiteralData()
        var append = spooledAppend ?? SpooledAppend(command: channel.allocator.buffer(capacity: prefix.readableBytes + 64))
        append.add(prefix: prefix)
        if append.failure == nil {
            do {
                let spool = try await SpoolFile.create(in: configuration.spool.directory)
                append.spools.append(spool)
                append.receiving = spool
            } catch {
                append.failure = error
            }
        }
        spooledAppend = append
        if synchronizing {
            encoder.writeContinuation(into: &output)
            flush()
        }
    }

    /// A spooled APPEND's literal arrives in pieces: they go to the file in blocks, off the event loop.
    func literalDataArrived(_ piece: ByteBuffer) async {
        guard channel.isActive else {
            // The client is gone: what is still queued is not written, and the spool files go at once.
            spooledAppend = nil
            return
        }
        guard spooledAppend?.receiving != nil, spooledAppend?.failure == nil else { return }
        spooledAppend?.pending.append(contentsOf: piece.readableBytesView)
        if (spooledAppend?.pending.count ?? 0) >= SpooledAppend.writeSize { await writePendingLiteralData() }
    }

    /// Writes what is held of the literal being received.
    private func writePendingLiteralData() async {
        guard let spool = spooledAppend?.receiving, let bytes = spooledAppend?.pending, !bytes.isEmpty else { return }
        spooledAppend?.pending = []
        guard spooledAppend?.failure == nil else { return }
        do {
            try await spool.appendAsync(bytes)
        } catch {
            spooledAppend?.failure = error
            spooledAppend?.receiving = nil
        }
    }

    /// The last piece of a spooled APPEND: the whole command, with placeholders for its spooled literals.
    func completingSpooledAppend(_ rest: ByteBuffer) async -> ByteBuffer {
        guard spooledAppend != nil else { return rest }
        await writePendingLiteralData()
        guard var append = spooledAppend else { return rest }
        var tail = rest
        append.command.writeBuffer(&tail)
        append.receiving = nil
        spooledAppend = append
        return append.command
    }

    /// Why a literal of `length` bytes cannot be stored, checked before it is received: the framer refused it
    /// already when it is over the size limit; here the user's quota (`NO [OVERQUOTA]`). Only the first message
    /// of an APPEND is checked (its prefix names the mailbox); the save checks every message again.
    private func refusalBeforeLiteral(prefix: ByteBuffer, length: UInt64) async -> (code: ResponseCode, text: String)? {
        guard spooledAppend == nil, let user, let mailbox = Self.appendMailbox(prefix, parser: parser) else { return nil }
        do {
            try await user.checkQuotaBeforeReceiving(bytes: Int64(length), into: mailbox)
        } catch StorageError.quotaExceeded(_, _, let message) {
            return (.overQuota, message)
        } catch {
            return nil // anything else is for the save to report
        }
        return nil
    }

    /// The mailbox an APPEND's first line names: the line parsed as a command whose literal is empty.
    static func appendMailbox(_ prefix: ByteBuffer, parser: IMAPCommandParser) -> String? {
        var bytes = Array(prefix.readableBytesView)
        guard let close = bytes.lastIndex(of: UInt8(ascii: "}")), let open = bytes[..<close].lastIndex(of: UInt8(ascii: "{")) else {
            return nil
        }
        bytes.replaceSubrange((open + 1)..<close, with: Array("0".utf8))
        bytes += Array("\r\n".utf8)
        guard case .append(let mailbox, _)? = try? parser.parse(ByteBuffer(bytes: bytes)).command else { return nil }
        return mailbox
    }
}
