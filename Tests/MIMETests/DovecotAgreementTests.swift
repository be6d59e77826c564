import MIME
import Testing

/// Hand-made awkward messages whose ENVELOPE, BODYSTRUCTURE, BINARY and SEARCH text were compared with
/// Dovecot 2.3.19 on the same input; the expected values are Dovecot's answers.
@Suite struct DovecotAgreementTests {
    /// From fields in less common RFC 5322 forms and the address list Dovecot's ENVELOPE gives for them.
    static let envelopeAddresses: [(String, String)] = [
        ("user@domain.org (Real Name)", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("(Real Name) user@domain.org", "((NIL NIL \"user\" \"domain.org\"))"),
        ("\"Real \\\"Name\\\"\" <user@domain.org>", "(({11}\r\nReal \"Name\" NIL \"user\" \"domain.org\"))"),
        ("Real (comment) Name <user@domain.org>", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("Real Name (comment) <user@domain.org>", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("Real.Name <user@domain.org>", "((\"Real.Name\" NIL \"user\" \"domain.org\"))"),
        ("Real Name <\"user\"@domain.org>", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("Real Name <user(c)@(c)domain.org>", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("user@domain.org (Real (nested) Name)", "((\"Real (nested) Name\" NIL \"user\" \"domain.org\"))"),
        ("user@domain.org (Real \\) Name)", "((\"Real ) Name\" NIL \"user\" \"domain.org\"))"),
        ("Real Name <@route1,@route2:user@domain.org>", "((\"Real Name\" \"@route1,@route2\" \"user\" \"domain.org\"))"),
        (
            "Group: user@domain.org (Real Name), b@c.d;, Other <o@d.org>",
            "((NIL NIL \"Group\" NIL)(\"Real Name\" NIL \"user\" \"domain.org\")(NIL NIL \"b\" \"c.d\")(NIL NIL NIL NIL)(\"Other\" NIL \"o\" \"d.org\"))"
        ),
        ("Empty:;, Real Name <user@domain.org>", "((NIL NIL \"Empty\" NIL)(NIL NIL NIL NIL)(\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("\"=?utf-8?q?Real_N=C3=A4me?=\" <user@domain.org>", "((\"=?utf-8?q?Real_N=C3=A4me?=\" NIL \"user\" \"domain.org\"))"),
        ("user@domain.org (=?utf-8?q?Real_N=C3=A4me?=)", "((\"=?utf-8?q?Real_N=C3=A4me?=\" NIL \"user\" \"domain.org\"))"),
        ("Real Name <user@[127.0.0.1]>", "((\"Real Name\" NIL \"user\" \"[127.0.0.1]\"))"),
        ("Real Name <>", "((\"Real Name\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))"),
        ("Real Name", "((\"Real Name\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))"),
        (
            "Real Name <user@domain.org>, second@domain.org (Second Name)",
            "((\"Real Name\" NIL \"user\" \"domain.org\")(\"Second Name\" NIL \"second\" \"domain.org\"))"
        ),
        ("Real\r\n Name\r\n <user@domain.org>", "((\"Real Name\" NIL \"user\" \"domain.org\"))"),
        ("user.@domain.org (Real Name)", "((\"Real Name\" NIL \"user.\" \"domain.org\"))"),
        ("Real Name <user@domain.org", "((\"Real Name\" NIL \"user\" \"SYNTAX_ERROR\"))"),
        ("user@domain.org  (Real Name)  (Other)", "((\"Other\" NIL \"user\" \"domain.org\"))"),
        ("Mr. Real Name <user@domain.org>", "((\"Mr. Real Name\" NIL \"user\" \"domain.org\"))"),
        ("user-from@ domain.org", "((NIL NIL \"user-from\" \"domain.org\"))"),
        ("user-from@domain.org.", "((NIL NIL \"user-from\" \"MISSING_DOMAIN\"))"),
        ("user-from@(c)domain.org", "((\"c\" NIL \"user-from\" \"domain.org\"))")
    ]

    @Test func envelopeAddressesLikeDovecot() throws {
        for (field, expected) in Self.envelopeAddresses {
            let message = MIMEMessage.parse(Array("From: \(field)\r\nSubject: x\r\n\r\nbody\r\n".utf8))
            let envelope = message.renderedEnvelope().string
            // ("date" "subject" (from) …: the from list follows `NIL "x" `.
            let from = envelope.dropFirst("(NIL \"x\" ".count)
            #expect(from.hasPrefix(expected), "\(field) → \(envelope)")
        }
    }

    /// SEARCH FROM/TO/CC/BCC compare the canonical list, as Dovecot writes it.
    @Test func canonicalAddressText() {
        func canonical(_ field: String) -> String { AddressParser.canonicalText(AddressParser.parse(Array(field.utf8))).string }
        #expect(canonical("user@domain.org (Real Name)") == "\"Real Name\" <user@domain.org>")
        #expect(canonical("user-from@domain.org") == "<user-from@domain.org>")
        #expect(canonical("\"user-from\"@domain.org") == "<user-from@domain.org>")
        #expect(canonical("user-from @ domain.org") == "<user-from@domain.org>")
        #expect(canonical("Other <o@d.org>") == "Other <o@d.org>")
        #expect(canonical("Mr. Real Name <user@domain.org>") == "\"Mr. Real Name\" <user@domain.org>")
        #expect(canonical("Group: a@b.c, d@e.f;, x@y.z") == "Group: <a@b.c>, <d@e.f>;, <x@y.z>")
        #expect(canonical("Empty:;") == "Empty:;")
        #expect(canonical("=?utf-8?q?N=C3=A4me?= <n@d.org>") == "=?utf-8?q?N=C3=A4me?= <n@d.org>")
        #expect(canonical("user-from@domain.org.") == "<user-from@MISSING_DOMAIN>")
        #expect(canonical("\"a b\"@c.d") == "<\"a b\"@c.d>")
    }

    /// Quoted-printable: literal blanks at a line's end go (RFC 2045 §6.7 rule 3), encoded ones stay
    /// (`--=20` is the signature separator), blanks before a soft break stay.
    @Test func quotedPrintableTrailingBlanks() {
        let decoded = QuotedPrintable.decode(Array("a=20\r\nb \t \r\n=\r\n--=20\r\n-- =\r\n\r\nsoft  =\r\nbreak\r\n".utf8))
        #expect(decoded.string == "a \r\nb\r\n-- \r\n-- \r\nsoft  break\r\n")
    }

    /// A leap second stays on its day (SENTON 31-Dec-2023 finds it in Dovecot).
    @Test func leapSecond() {
        #expect(RFC5322Date.parse(Array("Sun, 31 Dec 2023 23:59:60 +0000".utf8))?.timestamp == 1_704_067_199)
    }

    /// BODYSTRUCTURE parameters in Dovecot's order: plain ones as written, then RFC 2231 ones by name.
    @Test func parameterOrder() {
        func params(_ contentType: String) -> String {
            let m = MIMEMessage.parse(Array("Content-Type: \(contentType)\r\n\r\nbody\r\n".utf8))
            return m.renderedBodyStructure(extensible: false).string
        }
        #expect(
            params("application/x; b*=utf-8''b; name=one; Name=two; a*1=a1; a*0=a0; z=last; c*0*=x; c*2=gap")
                == "(\"application\" \"x\" (\"name\" \"one\" \"Name\" \"two\" \"z\" \"last\" \"a\" \"a0a1\" \"b*\" \"utf-8''b\" \"c*0*\" \"x\" \"c*2\" \"gap\") NIL NIL \"7bit\" 6)"
        )
        #expect(
            params("application/x; name*=us-ascii'en'x; name*0=y")
                == "(\"application\" \"x\" (\"name*0*\" \"us-ascii'en'x\" \"name*0\" \"y\") NIL NIL \"7bit\" 6)")
        let disposition = MIMEMessage.parse(
            Array(
                ("Content-Type: application/pdf; name*=UTF-8''r%C3%A9port.pdf; x-mac-type=PDF\r\n"
                    + "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9port.pdf; size=1234\r\n\r\nbody\r\n").utf8))
        #expect(
            disposition.renderedBodyStructure(extensible: true).string
                == "(\"application\" \"pdf\" (\"x-mac-type\" \"PDF\" \"name*\" \"UTF-8''r%C3%A9port.pdf\") NIL NIL \"7bit\" 6 NIL "
                + "(\"attachment\" (\"size\" \"1234\" \"filename*\" \"UTF-8''r%C3%A9port.pdf\")) NIL NIL)")
    }

    /// TEXT sees every part's header (`name="report.pdf"`), BODY no header at all.
    @Test func searchTextHoldsPartHeaders() {
        let message = MIMEMessage.parse(
            Array(
                ("Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    + "Content-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
                    + "Content-Description: =?utf-8?q?annual_report?=\r\n\r\nxx\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
                    + "Subject: inner\r\n\r\ninner body\r\n--b--\r\n").utf8))
        let text = message.searchText
        #expect(text.all.contains("report.pdf") && text.all.contains("annual report") && text.all.contains("Subject: inner"))
        #expect(!text.body.contains("report.pdf") && !text.body.contains("Subject: inner") && !text.body.contains("annual"))
        #expect(text.body.contains("hello") && text.body.contains("inner body"))
    }

    /// Subjects that needed cleaning go as literals, blank ones as `""`; NUL reads as U+FFFD inside quotes,
    /// an unterminated quoted string or comment keeps only what Dovecot keeps (Dovecot 2.3.19's answers).
    @Test func cleanedSubjectsNULAndUnterminatedQuotes() {
        func envelope(_ header: String) -> String {
            MIMEMessage.parse(Array((header + "\r\n\r\nbody\r\n").utf8)).renderedEnvelope().string
        }
        let fromNUL = "(({5}\r\na\u{FFFD}b NIL \"x\" \"y.z\")(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))"
        #expect(
            envelope("Subject: two  spaces\tand tab\r\nFrom: \"a\u{0}b\" <x@y.z>, \"open \\\" quote")
                == "(NIL {18}\r\ntwo spaces and tab \(fromNUL) \(fromNUL) \(fromNUL) NIL NIL NIL NIL NIL)")
        #expect(
            envelope("Subject:    \r\nFrom: (Real \\\u{0} Name) x@y.z")
                == "(NIL \"\" ((NIL NIL \"x\" \"y.z\")) ((NIL NIL \"x\" \"y.z\")) ((NIL NIL \"x\" \"y.z\")) NIL NIL NIL NIL NIL)")
        #expect(
            envelope("Subject: one\r\n two\r\nFrom: x@y.z (Real\r\n Name)")
                == "(NIL {7}\r\none two ((\"Real Name\" NIL \"x\" \"y.z\")) ((\"Real Name\" NIL \"x\" \"y.z\")) "
                + "((\"Real Name\" NIL \"x\" \"y.z\")) NIL NIL NIL NIL NIL)")
        #expect(
            envelope("Subject: plain subject\r\nFrom: x@y.z (un(closed")
                == "(NIL \"plain subject\" ((NIL NIL \"x\" \"MISSING_DOMAIN\")) ((NIL NIL \"x\" \"MISSING_DOMAIN\")) "
                + "((NIL NIL \"x\" \"MISSING_DOMAIN\")) NIL NIL NIL NIL NIL)")
    }

    /// ENVELOPE display names with `"` or `\\` go as literals, Dovecot's form.
    @Test func displayNamesWithQuotesAreLiterals() {
        let message = MIMEMessage.parse(Array("Subject: a \"quoted\" subject\r\nFrom: \"a\\\\b\" <x@y.z>\r\n\r\nbody\r\n".utf8))
        #expect(message.renderedEnvelope().string.hasPrefix("(NIL {18}\r\na \"quoted\" subject (({3}\r\na\\b NIL \"x\" \"y.z\"))"))
    }
}
