/// The envelope being built between MAIL and the end of DATA/BDAT LAST.
struct LMTPTransaction {
    var mailFrom: String
    var recipients: [LMTPRecipient] = []
    /// BDAT chunks so far; nil until the first BDAT (DATA may not follow BDAT).
    var chunks: [UInt8]?
    var chunksTooBig = false
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
