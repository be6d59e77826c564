import ObjectMail

/// Where an LMTP session is between commands (RFC 2033).
enum LMTPSessionState {
    /// Before LHLO, and again after STARTTLS or XCLIENT, which forget it.
    case awaitingLHLO
    /// LHLO given, no transaction.
    case ready(helo: String)
    /// From MAIL to the end of the body.
    case transaction(helo: String, LMTPTransaction)
    /// The bytes of a refused BDAT chunk are read and dropped; at their end `reply` is sent and the session is
    /// `after` again.
    indirect case discardingChunk(reply: LMTPReply, after: LMTPSessionState)
    /// QUIT, a fatal error, the idle timeout or shutdown: the connection closes after the replies so far.
    case closing
}

/// The envelope and body being built between MAIL and the end of DATA or BDAT LAST.
struct LMTPTransaction {
    var mailFrom: String
    var recipients: [LMTPRecipient] = []
    var body = LMTPBodyPhase.envelope
}

enum LMTPBodyPhase {
    /// No DATA or BDAT yet.
    case envelope
    /// DATA was answered 354: the body is arriving.
    case data(LMTPBody)
    /// BDAT chunks (DATA and RCPT are refused from the first one on).
    case chunks(LMTPBody, LMTPChunkPhase)
}

enum LMTPChunkPhase {
    /// A chunk's bytes are arriving; `last` for BDAT … LAST.
    case arriving(last: Bool)
    /// Between chunks: the next BDAT is awaited.
    case between
}

/// A message body received so far: in memory until it passes the spool threshold, then appended to a spool file
/// in `mail_temp_dir` (the memory part holds only what was not written yet).
struct LMTPBody {
    enum Status {
        case receiving
        /// Past the size limit: the rest is read and dropped, and the answer is 552.
        case tooBig
        /// Writing the spool failed: the rest is read and dropped, and every recipient gets 451.
        case spoolFailed
    }

    var status = Status.receiving
    /// Bytes received, in memory and spooled.
    var size = 0
    var memory: [UInt8] = []
    var spool: SpoolFile?

    /// Takes body bytes; past `limit` everything is dropped.
    mutating func append(_ bytes: [UInt8], limit: Int) {
        guard status != .tooBig else { return }
        guard size + bytes.count <= limit else {
            status = .tooBig
            memory = []
            spool = nil
            return
        }
        size += bytes.count
        guard status == .receiving else { return }
        if memory.isEmpty {
            memory = bytes
        } else {
            memory += bytes
        }
    }
}
