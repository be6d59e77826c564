import ObjectMail

/// The envelope being built between MAIL and the end of DATA/BDAT LAST.
struct LMTPTransaction {
    var mailFrom: String
    var recipients: [LMTPRecipient] = []
    /// BDAT chunks so far; nil until the first BDAT (DATA may not follow BDAT).
    var chunks: [UInt8]?
    var chunksTooBig = false
    /// Bytes of BDAT chunks received so far, in memory and spooled.
    var chunkTotal = 0
    /// The body so far beyond the spool threshold (DATA or BDAT), in `mail_temp_dir`. It goes with the transaction.
    var spool: SpoolFile?
    /// Writing the spool failed: the rest of the body is read and dropped, and every recipient gets 451.
    var spoolFailed = false
}

/// How the bytes arriving next are read.
enum LMTPInputMode {
    case command
    /// Skipping the rest of an over-long command line.
    case discardingLine
    case data(DataReader)
    /// A BDAT chunk: `remaining` bytes follow; `rejection` set when the chunk is read only to be dropped.
    case chunk(remaining: Int, last: Bool, rejection: LMTPReply?)
}
