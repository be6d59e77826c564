import Testing

@testable import Server

/// Parameters after the path: found by the reliability suite's fuzzing, a parameter word made only of `=`
/// stopped the whole process (an out-of-range index); it is a syntax error.
struct LMTPCommandParsingTests {
    @Test(arguments: [
        "MAIL FROM:<a@example.org>=", "MAIL FROM:<a@example.org> =x", "RCPT TO:<b@example.org> ==",
        "MAIL FROM:<a@example.org> SIZE=10 ="
    ])
    func emptyParameterKeywordsAreSyntaxErrors(_ line: String) {
        guard case .syntaxError = LMTPCommand.parse(line[...]) else {
            Issue.record("\(line) was not refused")
            return
        }
    }

    @Test func parametersWithAndWithoutValues() {
        guard case .mail(let from, let parameters) = LMTPCommand.parse("MAIL FROM:<a@example.org> SIZE=10 BODY=8BITMIME SMTPUTF8") else {
            Issue.record("not parsed")
            return
        }
        #expect(from == "a@example.org")
        #expect(parameters == ["SIZE": "10", "BODY": "8BITMIME", "SMTPUTF8": ""])
    }
}
