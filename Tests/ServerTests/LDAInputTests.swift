import Config
import ObjectMail
import Testing

@testable import Server

/// `objectmail lda`'s pure parts: how stdin is read, how -o is applied, which exit code each result gives.
struct LDAInputTests {
    /// Feeds `text` one piece after another and returns the output and the From line's sender.
    func converted(_ pieces: [String]) -> (String, String?) {
        var input = LDAMessageInput()
        var output: [UInt8] = []
        for piece in pieces { output += input.feed(Array(piece.utf8)) }
        output += input.finish()
        return (String(decoding: output, as: UTF8.self), input.fromLineSender)
    }

    @Test func theFromLineIsDroppedAndGivesTheSenderWhereverThePiecesSplit() {
        let text = "From sender@example.org  Thu Dec  5 10:00:00 2024\nSubject: s\n\nbody\n"
        let expected = ("Subject: s\r\n\r\nbody\r\n", Optional("sender@example.org"))
        #expect(converted([text]) == expected)
        #expect(converted(text.map { String($0) }) == expected)
        #expect(converted(["Fro", "m sender@example.org  Thu", "\r\nSubject: s\n", "\nbody\n"]) == expected)
    }

    @Test func lineEndsBecomeCRLFOnceAndOtherInputIsKept() {
        #expect(converted(["Subject: a\r", "\nx\ny\r\n"]) == ("Subject: a\r\nx\r\ny\r\n", nil))
        #expect(converted(["From:", " a@b\n"]) == ("From: a@b\r\n", nil)) // a header, not an mbox From line
        #expect(converted(["Fro"]) == ("Fro", nil))
        #expect(converted([""]) == ("", nil))
        #expect(converted(["From MAILER-DAEMON"]) == ("", "MAILER-DAEMON"))
    }

    @Test func sendersAreSanitizedAsDovecotLDADoes() {
        #expect(LDARequest.sender(nil) == "MAILER-DAEMON")
        #expect(LDARequest.sender("<>") == "MAILER-DAEMON")
        #expect(LDARequest.sender(" <a@example.org> ") == "a@example.org")
    }

    var registry: SettingsRegistry {
        var registry = SettingsRegistry()
        ServerSettings.register(in: &registry)
        StorageSettings.register(in: &registry)
        return registry
    }

    @Test func overridesThatDecideADeliveryAreTaken() throws {
        let overrides = try LDAOverrides(
            parsing: [
                "lda_mailbox_autocreate=yes", "lda_mailbox_autosubscribe=no",
                "quota_full_tempfail=yes", "plugin/quota=maildir:User quota:noenforcing"
            ],
            registry: registry)
        #expect(overrides == LDAOverrides(mailboxAutocreate: true, mailboxAutosubscribe: false, quotaFullTempfail: true, enforceQuota: false))
        #expect(try LDAOverrides(parsing: ["plugin/quota=count:User quota"], registry: registry).enforceQuota == true)
        #expect(try LDAOverrides(parsing: ["plugin/quota="], registry: registry).enforceQuota == false)
        #expect(try LDAOverrides(parsing: ["plugin/quota_full_tempfail=no"], registry: registry).quotaFullTempfail == false)
        #expect(try LDAOverrides(parsing: [], registry: registry) == LDAOverrides())
    }

    @Test func otherOverridesAreRefusedWithTheReason() {
        func reason(_ argument: String) -> String? {
            do {
                _ = try LDAOverrides(parsing: [argument], registry: registry)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(reason("quota_full_tempfail=maybe")?.hasPrefix("Invalid -o parameter quota_full_tempfail=maybe: ") == true)
        #expect(
            reason("lda_mailbox_autocreat=yes")?
                .hasSuffix("Unknown setting: lda_mailbox_autocreat (did you mean lda_mailbox_autocreate?)") == true)
        #expect(reason("recipient_delimiter=-")?.contains("cannot differ for one delivery") == true)
        #expect(reason("plugin/quota_rule=*:storage=1G")?.contains("cannot differ for one delivery") == true)
        #expect(reason("lda_mailbox_autocreate") == "Invalid -o parameter lda_mailbox_autocreate: expected NAME=VALUE")
    }

    @Test func exitCodesAreDovecotLDAs() {
        #expect(LDAResult(.delivered, "INBOX").exitCode == 0)
        #expect(LDAResult(.unknownUser, "").exitCode == 67)
        #expect(LDAResult(.overQuota, "").exitCode == 77)
        #expect(LDAResult(.overQuota, "", tempfail: true).exitCode == 75)
        #expect(LDAResult(.tooLarge, "").exitCode == 75)
        #expect(LDAResult(.temporaryFailure, "").exitCode == 75)
    }
}
