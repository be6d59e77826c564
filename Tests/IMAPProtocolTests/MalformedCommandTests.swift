import IMAPProtocol
import Testing

/// Every command with broken arguments gets a tagged BAD with a reason, never a crash or a wrong parse.
@Suite struct MalformedCommandTests {
    @Test(arguments: [
        "a CAPABILITY x", "a LOGIN onlyuser", "a LOGIN (x) y", "a AUTHENTICATE", "a ID", "a ID (\"k\")", "a ID (k v)",
        "a ENABLE (x)", "a SELECT", "a SELECT INBOX CONDSTORE", "a SELECT INBOX (QRESYNC)", "a EXAMINE INBOX (QRESYNC (1 2 x))",
        "a CREATE", "a CREATE x (USE)", "a CREATE x (FOO (\\Sent))", "a DELETE", "a RENAME a", "a SUBSCRIBE",
        "a UNSUBSCRIBE", "a LIST", "a LIST \"\"", "a LIST (FOO \"\" *", "a LIST \"\" () ", "a LSUB \"\"", "a NAMESPACE x",
        "a STATUS x", "a STATUS x MESSAGES", "a APPEND", "a APPEND x (\\Seen)", "a APPEND x CATENATE ()",
        "a APPEND x CATENATE (FOO x)", "a APPEND x UTF8 {1}\r\nx", "a IDLE now", "a CHECK 1", "a CLOSE 1", "a UNSELECT 1",
        "a EXPUNGE 1", "a UID EXPUNGE", "a UID EXPUNGE x", "a SEARCH", "a SEARCH CHARSET", "a SEARCH RETURN ALL",
        "a SEARCH HEADER x", "a SEARCH UID", "a SEARCH (ALL", "a SEARCH ALL)", "a FETCH", "a FETCH 1", "a FETCH 1 (FLAGS",
        "a FETCH 1 BODY[1.]", "a FETCH 1 BODY[HEADER.FIELDS]", "a FETCH 1 BODY[HEADER.FIELDS ()]", "a FETCH 1 BODY[]<1>",
        "a FETCH 1 BINARY[TEXT]", "a FETCH 1 FLAGS (CHANGEDSINCE)", "a FETCH 1 FLAGS (FOO)", "a FETCH *:",
        "a FETCH 1,,2 FLAGS", "a STORE 1", "a STORE 1 FLAGS", "a STORE 1 (UNCHANGEDSINCE x) FLAGS ()", "a COPY 1",
        "a MOVE 1", "a UID MOVE x y", "a SORT (DATE)", "a SORT (DATE) UTF-8", "a SORT DATE UTF-8 ALL", "a THREAD REFS",
        "a THREAD REFS UTF-8", "a GETQUOTA", "a GETQUOTAROOT", "a SETQUOTA x", "a SETQUOTA x (STORAGE)", "a COMPRESS",
        "a NOTIFY", "a NOTIFY SET (FOO (MessageNew))", "a NOTIFY SET STATUS", "a GETMETADATA", "a GETMETADATA (DEPTH 2) x y",
        "a SETMETADATA x", "a SETMETADATA x ()", "a CANCELUPDATE", "a STARTTLS now", "a LOGOUT now", "a NOOP ("
    ])
    func malformedIsBadWithTag(line: String) {
        let error = parseError(line + "\r\n")
        #expect(error?.tag == "a", "\(line) -> \(String(describing: error))")
        #expect(error?.message.isEmpty == false)
    }
}
