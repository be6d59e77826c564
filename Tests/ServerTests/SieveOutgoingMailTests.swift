import Foundation
import Sieve
import Testing

@testable import Server

/// The mail Sieve's actions send, and the SMTP submission's framing.
@Suite struct SieveOutgoingMailTests {
    let original = Array(
        "Return-Path: <ann@example.org>\r\nX-Sieve: old\r\nSubject: Hello\r\nMessage-ID: <m1@x>\r\nAuto-Submitted: no\r\n\r\nbody\r\n".utf8)

    @Test func redirectedMessageDropsReturnPathAndOldSieveHeaders() {
        let mail = SieveOutgoingMail(original: original, hostname: "mx.test")
        let text = String(decoding: mail.redirected(by: "jane@example.com"), as: UTF8.self)
        #expect(
            text == "X-Sieve: ObjectMail Sieve\r\nX-Sieve-Redirected-From: jane@example.com\r\nSubject: Hello\r\n"
                + "Message-ID: <m1@x>\r\nAuto-Submitted: no\r\n\r\nbody\r\n")
        #expect(!mail.isAutoSubmitted)
        let withoutID = SieveOutgoingMail(original: Array("Subject: x\r\n\r\nb\r\n".utf8), hostname: "mx.test")
        #expect(String(decoding: withoutID.redirected(by: "j@x"), as: UTF8.self).contains("Message-ID: <"))
    }

    @Test func rejectionIsADispositionNotificationWithTheOriginalHeader() {
        let mail = SieveOutgoingMail(original: original, hostname: "mx.test")
        let text = String(
            decoding: mail.rejection(
                reason: "no\nthanks", from: "postmaster@example.com", to: "ann@example.org", finalRecipient: "jane@example.com",
                originalRecipient: nil), as: UTF8.self)
        #expect(text.contains("From: Postmaster <postmaster@example.com>\r\nTo: <ann@example.org>\r\nSubject: Rejected: Hello\r\n"))
        #expect(text.contains("Your message to <jane@example.com> was automatically rejected:\r\nno\r\nthanks\r\n"))
        #expect(text.contains("Final-Recipient: rfc822; jane@example.com\r\nOriginal-Message-ID: <m1@x>\r\n"))
        #expect(text.contains("Content-Type: message/rfc822\r\n\r\nReturn-Path: <ann@example.org>\r\n"))
        #expect(!text.contains("body\r\n") && text.hasSuffix("--\r\n"))
    }

    @Test func vacationResponseRepliesToTheMessage() {
        let mail = SieveOutgoingMail(original: original, hostname: "mx.test")
        let vacation = SieveVacation(
            period: 86400, subject: nil, from: nil, addresses: [], mime: false, handle: "h", reason: "Away.", recipient: "ann@example.org")
        let text = String(decoding: mail.vacationResponse(vacation, recipient: "jane@example.com"), as: UTF8.self)
        #expect(text.contains("From: <jane@example.com>\r\nTo: <ann@example.org>\r\nSubject: Auto: Hello\r\nIn-Reply-To: <m1@x>\r\n"))
        #expect(text.contains("Auto-Submitted: auto-replied (vacation)\r\n") && text.hasSuffix("\r\n\r\nAway.\r\n"))
    }

    @Test func submissionHostAndDotStuffing() {
        let plain = SMTPSubmission(submissionHost: "smtp-out.example.com:587", heloName: "mx")
        #expect(plain?.host == "smtp-out.example.com" && plain?.port == 587)
        #expect(SMTPSubmission(submissionHost: "relay", heloName: "mx")?.port == 25)
        let v6 = SMTPSubmission(submissionHost: "[::1]:2525", heloName: "mx")
        #expect(v6?.host == "::1" && v6?.port == 2525)
        #expect(SMTPSubmission(submissionHost: " ", heloName: "mx") == nil)
        #expect(String(decoding: SMTPSubmission.dotStuffed(Array(".a\n..b\r\nc".utf8)), as: UTF8.self) == "..a\r\n...b\r\nc\r\n.\r\n")
    }
}
