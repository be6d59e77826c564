import IMAPProtocol
import NIOCore
import Testing

/// The command table against RFC 9051 §6 and Dovecot's USES_SEQS / BREAKS_SEQS marks, command by command.
@Suite struct CommandTraitsTests {
    func traits(_ line: String) throws -> CommandTraits {
        let parser = IMAPCommandParser()
        return try parser.parse(ByteBuffer(string: "t \(line)\r\n")).command.traits
    }

    @Test(arguments: [
        ("CAPABILITY", CommandTraits.RequiredState.any), ("NOOP", .any), ("LOGOUT", .any), ("ID NIL", .any),
        ("STARTTLS", .notAuthenticated), ("LOGIN a b", .notAuthenticated), ("AUTHENTICATE PLAIN", .notAuthenticated),
        ("SELECT INBOX", .authenticated), ("STATUS INBOX (MESSAGES)", .authenticated), ("IDLE", .authenticated),
        ("ENABLE QRESYNC", .authenticated), ("GETQUOTAROOT INBOX", .authenticated),
        ("CHECK", .selected), ("CLOSE", .selected), ("EXPUNGE", .selected), ("UID FETCH 1 FLAGS", .selected)
    ])
    func requiredState(_ line: String, _ state: CommandTraits.RequiredState) throws {
        #expect(try traits(line).state == state)
    }

    /// RFC 3501 §7.4.1: no EXPUNGE while FETCH, STORE or SEARCH by sequence number answer; their UID forms may.
    @Test(arguments: [
        ("FETCH 1 FLAGS", false), ("STORE 1 +FLAGS (\\Seen)", false), ("SEARCH ALL", false), ("COPY 1 Trash", false),
        ("MOVE 1 Trash", false), ("SORT (DATE) UTF-8 ALL", false), ("THREAD REFERENCES UTF-8 ALL", false),
        ("UID FETCH 1 FLAGS", true), ("UID STORE 1 +FLAGS (\\Seen)", true), ("UID SEARCH ALL", true),
        ("UID COPY 1 Trash", true), ("UID MOVE 1 Trash", true), ("NOOP", true), ("EXPUNGE", true), ("IDLE", true)
    ])
    func expungesWaitForSequenceNumberCommands(_ line: String, _ allowed: Bool) throws {
        #expect(try traits(line).mayReportExpunges == allowed)
    }

    @Test func moveAndExpungeBreakSequenceNumbersAndNOTIFYPollingFollowsRFC5465() throws {
        #expect(try traits("MOVE 1 Trash").breaksSequenceNumbers && traits("UID EXPUNGE 1").breaksSequenceNumbers)
        #expect(try !traits("COPY 1 Trash").breaksSequenceNumbers && !traits("CLOSE").breaksSequenceNumbers)
        for line in ["NOOP", "CHECK", "EXPUNGE", "UID EXPUNGE 1", "MOVE 1 X", "CLOSE"] { #expect(try traits(line).solicitsUpdates) }
        for line in ["FETCH 1 FLAGS", "STATUS INBOX (MESSAGES)", "UNSELECT"] { #expect(try !traits(line).solicitsUpdates) }
    }
}
