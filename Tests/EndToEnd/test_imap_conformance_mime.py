"""IMAP conformance of MIME parsing, SEARCH and SORT (issue 26 items 2, 3, 4, 11, 12) against a real ObjectMail process.

Every expected answer below is what Dovecot 2.3.19 (Debian) answered for the same messages, APPENDed with the same
INTERNALDATEs into an empty mailbox (a private instance started as bench/suite/servers.py does). The test itself does
not need Dovecot. Not asked here because they still differ (and belong to the FETCH code): Dovecot sends a decoded
BINARY section as a literal8 (~{n}) and answers BINARY[n] of a part that does not exist with an empty string.
"""
import sqlite3

import pytest

from conftest import LMTPServer, command, free_port, imap_listener, raw_imap, wait_for_port

USER = "jane@example.com"


def message(subject=None, sender="a@example.com", to="b@example.com", cc=None, date="Mon, 1 Jan 2024 10:00:00 +0000",
            body="body\r\n", extra=""):
    """A message from header values (None leaves a field out)."""
    fields = [("Date", date), ("From", sender), ("To", to), ("Cc", cc), ("Subject", subject)]
    head = "".join(f"{name}: {value}\r\n" for name, value in fields if value is not None)
    return (head + extra + "\r\n" + body).encode()


# RFC 5256 §2.1 base subjects: reply/forward leaders, [blob]s, (fwd) trailers, [Fwd: …] wrappers, blanks,
# encoded-words, titlecase order ("_" after letters), a missing and an empty Subject.
SUBJECTS = [
    "Re: hello", "RE: Re: Fwd: hello", "[list] Re: hello", "Re: [list] hello (fwd)", "[Fwd: hello]",
    "  hello   world  ", "hello\r\n\tworld", "Re: [blob1][blob2] foo", "[blob]", "Fw: Re:foo", "re : foo",
    "Re: (fwd)", "=?utf-8?q?Re:_=C3=A9t=C3=A9?=", "", None, "Re[2]: foo", "[a] [b] Re: [c] foo",
    "Re: Re: (fwd) (fwd)", "[Fwd: Re: hello] (fwd)", "Fwd: [list]   ", "Re: [list]", "_under", "abc", "ABC",
    "Zeta", "[zz]_x", "\u00e9t\u00e9", "Re: Hello", "hello", "fwd:fwd: x", "Re:", "re: re : re[x]: y (fwd)",
    "[x]Re: [y]", "Re: [Fwd: z]", "[Fwd: [list] q]", "^caret", "`tick", "re:hello(fwd)", "Re\t: tab",
    "Fwdd: not", "Ref: not", "[unterminated blob", "Re: [a]: b", "=?iso-8859-1?q?=E9t=E9?=",
]

# RFC 5256 CC: the first Cc address's mailbox (a group's name, MISSING_MAILBOX, case-insensitive, none = "").
CCS = [
    None, "", "bob@example.com", "Bob <BOB@example.com>", "alice@example.com, zed@example.com",
    "undisclosed-recipients:;", "group: carl@example.com;", "\"Quoted\" <\"dan.x\"@example.com>",
    "=?utf-8?q?=C3=89mile?= <emile@example.com>", "(comment) eve@example.com", "Zoe <zoe@example.com>",
    "<_under@example.com>", "aaron", "@route:frank@example.com", "<@r1,@r2:gina@example.com>",
    "ALICE@example.com", "\u00e9lodie@example.com", "x <>", "Bob <bob@example.com>",
]

# RFC 5957 DISPLAYTO: the decoded display name, else the addr-spec (a trailing comment is a name).
TOS = [
    None, "", "bob@example.com", "Bob <bob@example.com>", "\"Bob\" <zzz@example.com>",
    "=?utf-8?q?=C3=89mile?= <aa@example.com>", "=?iso-8859-1?q?Andr=E9?= <zz@example.com>",
    "\"\" <empty@example.com>", "undisclosed-recipients:;", "group: carl@example.com;", "\"_under\" <u@example.com>",
    "abc <x@example.com>", "ABC <y@example.com>", "(Comment Name) c@example.com", "c@example.com (Comment Name)",
    "\"Last, First\" <lf@example.com>", "zed@example.com", "=?utf-8?b?w4lsaXNl?= <el@example.com>",
    "  spaced   name  <sp@example.com>", "\"quoted \\\"pair\\\"\" <qp@example.com>", "bob@EXAMPLE.com",
]

SORT_MAILBOXES = {
    "subjects": [message(subject=s, date=f"Mon, 1 Jan 2024 10:{i % 3:02d}:00 +0000", body="body " + "x" * ((i * 37) % 11) + "\r\n")
                 for i, s in enumerate(SUBJECTS)],
    "ccs": [message(subject=f"cc {i}", cc=c, body="b" * (i % 4) + "\r\n") for i, c in enumerate(CCS)],
    "tos": [message(subject=f"to {i}", to=t, date=f"Mon, 1 Jan 2024 10:00:0{i % 2} +0000") for i, t in enumerate(TOS)],
}

# Less common but valid RFC 5322 forms of an address field (comments, quoted pairs, obsolete syntax, groups).
ADDRESSES = [
    "user@domain.org (Real Name)", "(Real Name) user@domain.org", "Real Name <user@domain.org>",
    "\"Real \\\"Name\\\"\" <user@domain.org>", "Real (comment) Name <user@domain.org>",
    "Real Name <user@domain.org> (comment)", "Real.Name <user@domain.org>", "Real Name <\"user\"@domain.org>",
    "Real Name <user(c)@(c)domain.org>", "user@domain.org (Real (nested) Name)", "user@domain.org (Real \\) Name)",
    "Real Name <@route1,@route2:user@domain.org>", "Group: user@domain.org (Real Name), b@c.d;, Other <o@d.org>",
    "Empty:;, Real Name <user@domain.org>", "\"=?utf-8?q?Real_N=C3=A4me?=\" <user@domain.org>",
    "user@domain.org (=?utf-8?q?Real_N=C3=A4me?=)", "Real Name <user@[127.0.0.1]>", "user", "Real Name <>", "Real Name",
    "Real Name <user@domain.org>, second@domain.org (Second Name)", "Real\r\n Name\r\n <user@domain.org>",
    "user.@domain.org (Real Name)", "Real Name <user@domain.org", "user@domain.org  (Real Name)  (Other)",
    "Mr. Real Name <user@domain.org>", "user-from@domain.org", "\"user-from\"@domain.org",
    "User From <user-from@domain.org>", "\"user-from@domain.org\" <x@y.org>", "user-from@ domain.org",
    "user-from @domain.org", "user-from@domain.org.", "=?utf-8?b?dXNlci1mcm9tQGRvbWFpbi5vcmc=?= <z@y.org>",
    "user-from@(c)domain.org", "user-from@\r\n domain.org", "=?utf-8?q?user-from=40domain=2Eorg?=",
]


def address_message(index, field):
    return (f"From: {field}\r\nSender: {field}\r\nReply-To: {field}\r\nTo: {field}\r\nSubject: env {index}\r\n"
            "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n").encode()


ADDRESS_SEARCHES = [
    'FROM user-from@domain.org', 'TO user-from@domain.org', 'FROM domain.org', 'FROM "Real Name"', 'CC "Real Name"',
    'FROM comment', 'FROM "<user@domain.org>"', 'FROM "Real Name <user@domain.org>"',
    'FROM "\\"Real Name\\" <user@domain.org>"', 'FROM MISSING_DOMAIN', 'FROM "Group:"', 'FROM "Mr. Real"',
    'FROM route1', 'FROM "N\u00e4me"', 'FROM Nested', 'TO "Real ) Name"', 'HEADER FROM comment', 'HEADER FROM "Real Name"',
    'NOT FROM user', 'OR FROM Other TO Second',
]


def multipart(parts, boundary="b1", preamble="preamble", epilogue="epilogue"):
    out = ("From: a@example.com\r\nTo: b@example.com\r\nSubject: mime\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n{preamble}\r\n")
    out += "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return (out + f"--{boundary}--\r\n{epilogue}\r\n").encode()


PDF = "Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCg==\r\n"
TEXT = "Content-Type: text/plain\r\n\r\nhello world\r\n"
MIME_MESSAGES = [
    multipart([TEXT, PDF]),                                   # the word only in a part's Content-Type name=
    multipart([TEXT, "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"REPORT.bin\"\r\n\r\nxx\r\n"]),
    multipart([TEXT, "Content-Type: image/png\r\nContent-Description: =?utf-8?q?annual_report?=\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"]),
    multipart(["Content-Type: text/plain\r\n\r\nthe report is ready\r\n"]),
    b"From: a@example.com\r\nSubject: report\r\n\r\nnothing here\r\n",
    multipart([TEXT], preamble="report preamble"),
    multipart([TEXT, "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n"
                     "--in\r\nContent-Type: application/pdf; name=report2.pdf\r\n\r\nxx\r\n--in--\r\n"]),
    multipart([TEXT], boundary="report-boundary"),
    multipart([TEXT, "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\ncmVwb3J0\r\n"]),
    multipart([TEXT, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\ncmVwb3J0\r\n"]),
    multipart([TEXT], epilogue="report epilogue"),
    multipart([TEXT, "Content-Type: text/plain\r\nX-Report: yes\r\n\r\nbody\r\n"]),
    b"From: a@example.com\r\nSubject: qp\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\nHello  \r\nsoft  =\r\nbreak\t\r\n-- \r\nSig =C3=A9 \r\nlast line \r\n",
    multipart(["Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nline one \r\n--=20\r\nname\r\n", PDF]),
    multipart([TEXT, "Content-Type: application/pdf; name*=UTF-8''r%C3%A9port.pdf; x-mac-type=PDF\r\n"
                     "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9port.pdf; size=1234; "
                     "creation-date=\"Mon, 1 Jan 2024 10:00:00 +0000\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"]),
    multipart([TEXT, "Content-Type: application/octet-stream; name*0*=UTF-8''a%C3%A9; name*1=b.bin; charset=x\r\n"
                     "Content-Disposition: attachment; filename*0=\"long\"; filename*1=\"name.bin\"; size=5; filename=\"plain.bin\"\r\n\r\nxxxxx\r\n"]),
    b"From: a@example.com\r\nSubject: qp2\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"a=20\r\nb \t \r\n=\r\n-- =\r\n\r\n--=20\r\nend",
]

MIME_SEARCHES = [
    "TEXT report", "BODY report", "TEXT report.pdf", "BODY report.pdf", "TEXT annual", "BODY annual", "TEXT inner",
    "BODY inner", "TEXT preamble", "TEXT epilogue", "TEXT X-Report", "BODY boundary", "TEXT application/pdf",
    "BODY Content-Type", "TEXT \"r\u00e9port\"", "BODY attachment", "TEXT REPORT2", "NOT TEXT report",
]


# What Dovecot 2.3.19 answered (generated by running the corpus above against it).
SORTS = {('ccs', '(CC REVERSE ARRIVAL)'): '* SORT 2 1 13 5 16 3 4 19 8 9 10 17 15 7 18 14 6 11 12',
 ('ccs', '(CC)'): '* SORT 1 2 13 5 16 3 4 19 8 9 10 17 15 7 14 18 6 11 12',
 ('ccs', '(REVERSE CC REVERSE SIZE)'): '* SORT 12 11 6 14 18 7 15 17 10 9 8 4 19 3 5 16 13 2 1',
 ('ccs', '(REVERSE CC)'): '* SORT 12 11 6 14 18 7 15 17 10 9 8 3 4 19 5 16 13 1 2',
 ('subjects', '(ARRIVAL)'): '* SORT 1 4 7 10 13 16 19 22 25 28 31 34 37 40 43 2 5 8 11 14 17 20 23 26 29 32 35 38 41 '
                            '44 3 6 9 12 15 18 21 24 27 30 33 36 39 42',
 ('subjects', '(REVERSE ARRIVAL)'): '* SORT 3 6 9 12 15 18 21 24 27 30 33 36 39 42 2 5 8 11 14 17 20 23 26 29 32 35 38 '
                                    '41 44 1 4 7 10 13 16 19 22 25 28 31 34 37 40 43',
 ('subjects', '(REVERSE DATE)'): '* SORT 3 6 9 12 15 18 21 24 27 30 33 36 39 42 2 5 8 11 14 17 20 23 26 29 32 35 38 41 '
                                 '44 1 4 7 10 13 16 19 22 25 28 31 34 37 40 43',
 ('subjects', '(REVERSE SUBJECT REVERSE DATE)'): '* SORT 37 26 22 36 33 42 21 20 9 25 34 32 30 39 41 35 6 7 3 2 5 29 '
                                                 '38 1 4 19 28 40 8 11 17 10 16 27 44 13 24 23 43 12 15 18 14 31',
 ('subjects', '(REVERSE SUBJECT)'): '* SORT 37 26 22 36 33 42 20 21 9 25 34 32 30 39 41 35 6 7 1 2 3 4 5 19 28 29 38 '
                                    '40 8 10 11 16 17 13 27 44 23 24 43 12 14 15 18 31',
 ('subjects', '(SUBJECT DATE)'): '* SORT 31 14 12 15 18 43 23 24 13 44 27 10 16 8 11 17 40 1 4 19 28 2 5 29 38 3 7 6 '
                                 '35 41 39 30 32 34 25 9 20 21 42 33 36 22 26 37',
 ('subjects', '(SUBJECT REVERSE SIZE)'): '* SORT 18 31 12 14 15 43 24 23 13 44 27 8 17 11 16 10 40 19 3 4 2 28 38 5 1 '
                                         '29 6 7 35 41 39 30 32 34 25 9 20 21 42 33 36 22 26 37',
 ('subjects', '(SUBJECT)'): '* SORT 12 14 15 18 31 43 23 24 13 27 44 8 10 11 16 17 40 1 2 3 4 5 19 28 29 38 6 7 35 41 '
                            '39 30 32 34 25 9 20 21 42 33 36 22 26 37',
 ('tos', '(DISPLAYTO REVERSE DATE)'): '* SORT 2 1 12 13 7 4 5 3 21 14 15 8 18 6 10 16 20 19 9 17 11',
 ('tos', '(DISPLAYTO)'): '* SORT 1 2 12 13 7 4 5 3 21 14 15 8 18 6 10 16 20 19 9 17 11',
 ('tos', '(REVERSE DISPLAYTO DATE)'): '* SORT 11 17 9 19 20 16 10 6 18 8 15 14 3 21 5 4 7 13 12 1 2',
 ('tos', '(REVERSE DISPLAYTO)'): '* SORT 11 17 9 19 20 16 10 6 18 8 15 14 3 21 4 5 7 12 13 1 2',
 ('tos', '(TO)'): '* SORT 1 2 6 3 4 21 14 15 18 8 10 16 20 19 11 9 12 13 17 7 5'}
ENVELOPES = ['* 1 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 0" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 2 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 1" ((NIL NIL "user" "domain.org")) ((NIL NIL "user" '
 '"domain.org")) ((NIL NIL "user" "domain.org")) ((NIL NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 3 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 2" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 4 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 3" (({11}\r\n'
 'Real "Name" NIL "user" "domain.org")) (({11}\r\n'
 'Real "Name" NIL "user" "domain.org")) (({11}\r\n'
 'Real "Name" NIL "user" "domain.org")) (({11}\r\n'
 'Real "Name" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 5 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 4" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 6 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 5" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 7 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 6" (("Real.Name" NIL "user" "domain.org")) (("Real.Name" '
 'NIL "user" "domain.org")) (("Real.Name" NIL "user" "domain.org")) (("Real.Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 8 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 7" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 9 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 8" (("Real Name" NIL "user" "domain.org")) (("Real Name" '
 'NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL NIL '
 'NIL NIL))\r\n',
 '* 10 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 9" (("Real (nested) Name" NIL "user" "domain.org")) '
 '(("Real (nested) Name" NIL "user" "domain.org")) (("Real (nested) Name" NIL "user" "domain.org")) (("Real (nested) '
 'Name" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 11 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 10" (("Real ) Name" NIL "user" "domain.org")) (("Real ) '
 'Name" NIL "user" "domain.org")) (("Real ) Name" NIL "user" "domain.org")) (("Real ) Name" NIL "user" "domain.org")) '
 'NIL NIL NIL NIL))\r\n',
 '* 12 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 11" (("Real Name" "@route1,@route2" "user" '
 '"domain.org")) (("Real Name" "@route1,@route2" "user" "domain.org")) (("Real Name" "@route1,@route2" "user" '
 '"domain.org")) (("Real Name" "@route1,@route2" "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 13 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 12" ((NIL NIL "Group" NIL)("Real Name" NIL "user" '
 '"domain.org")(NIL NIL "b" "c.d")(NIL NIL NIL NIL)("Other" NIL "o" "d.org")) ((NIL NIL "Group" NIL)("Real Name" NIL '
 '"user" "domain.org")(NIL NIL "b" "c.d")(NIL NIL NIL NIL)("Other" NIL "o" "d.org")) ((NIL NIL "Group" NIL)("Real '
 'Name" NIL "user" "domain.org")(NIL NIL "b" "c.d")(NIL NIL NIL NIL)("Other" NIL "o" "d.org")) ((NIL NIL "Group" '
 'NIL)("Real Name" NIL "user" "domain.org")(NIL NIL "b" "c.d")(NIL NIL NIL NIL)("Other" NIL "o" "d.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 14 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 13" ((NIL NIL "Empty" NIL)(NIL NIL NIL NIL)("Real Name" '
 'NIL "user" "domain.org")) ((NIL NIL "Empty" NIL)(NIL NIL NIL NIL)("Real Name" NIL "user" "domain.org")) ((NIL NIL '
 '"Empty" NIL)(NIL NIL NIL NIL)("Real Name" NIL "user" "domain.org")) ((NIL NIL "Empty" NIL)(NIL NIL NIL NIL)("Real '
 'Name" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 15 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 14" (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" '
 '"domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" "domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" '
 '"domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 16 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 15" (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" '
 '"domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" "domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" '
 '"domain.org")) (("=?utf-8?q?Real_N=C3=A4me?=" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 17 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 16" (("Real Name" NIL "user" "[127.0.0.1]")) (("Real '
 'Name" NIL "user" "[127.0.0.1]")) (("Real Name" NIL "user" "[127.0.0.1]")) (("Real Name" NIL "user" "[127.0.0.1]")) '
 'NIL NIL NIL NIL))\r\n',
 '* 18 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 17" ((NIL NIL "user" "MISSING_DOMAIN")) ((NIL NIL "user" '
 '"MISSING_DOMAIN")) ((NIL NIL "user" "MISSING_DOMAIN")) ((NIL NIL "user" "MISSING_DOMAIN")) NIL NIL NIL NIL))\r\n',
 '* 19 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 18" (("Real Name" NIL "MISSING_MAILBOX" '
 '"MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" '
 '"MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL NIL NIL))\r\n',
 '* 20 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 19" (("Real Name" NIL "MISSING_MAILBOX" '
 '"MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" '
 '"MISSING_DOMAIN")) (("Real Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL NIL NIL))\r\n',
 '* 21 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 20" (("Real Name" NIL "user" "domain.org")("Second Name" '
 'NIL "second" "domain.org")) (("Real Name" NIL "user" "domain.org")("Second Name" NIL "second" "domain.org")) (("Real '
 'Name" NIL "user" "domain.org")("Second Name" NIL "second" "domain.org")) (("Real Name" NIL "user" '
 '"domain.org")("Second Name" NIL "second" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 22 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 21" (("Real Name" NIL "user" "domain.org")) (("Real '
 'Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) (("Real Name" NIL "user" "domain.org")) NIL '
 'NIL NIL NIL))\r\n',
 '* 23 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 22" (("Real Name" NIL "user." "domain.org")) (("Real '
 'Name" NIL "user." "domain.org")) (("Real Name" NIL "user." "domain.org")) (("Real Name" NIL "user." "domain.org")) '
 'NIL NIL NIL NIL))\r\n',
 '* 24 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 23" (("Real Name" NIL "user" "SYNTAX_ERROR")) (("Real '
 'Name" NIL "user" "SYNTAX_ERROR")) (("Real Name" NIL "user" "SYNTAX_ERROR")) (("Real Name" NIL "user" '
 '"SYNTAX_ERROR")) NIL NIL NIL NIL))\r\n',
 '* 25 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 24" (("Other" NIL "user" "domain.org")) (("Other" NIL '
 '"user" "domain.org")) (("Other" NIL "user" "domain.org")) (("Other" NIL "user" "domain.org")) NIL NIL NIL NIL))\r\n',
 '* 26 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 25" (("Mr. Real Name" NIL "user" "domain.org")) (("Mr. '
 'Real Name" NIL "user" "domain.org")) (("Mr. Real Name" NIL "user" "domain.org")) (("Mr. Real Name" NIL "user" '
 '"domain.org")) NIL NIL NIL NIL))\r\n',
 '* 27 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 26" ((NIL NIL "user-from" "domain.org")) ((NIL NIL '
 '"user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 28 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 27" ((NIL NIL "user-from" "domain.org")) ((NIL NIL '
 '"user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 29 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 28" (("User From" NIL "user-from" "domain.org")) (("User '
 'From" NIL "user-from" "domain.org")) (("User From" NIL "user-from" "domain.org")) (("User From" NIL "user-from" '
 '"domain.org")) NIL NIL NIL NIL))\r\n',
 '* 30 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 29" (("user-from@domain.org" NIL "x" "y.org")) '
 '(("user-from@domain.org" NIL "x" "y.org")) (("user-from@domain.org" NIL "x" "y.org")) (("user-from@domain.org" NIL '
 '"x" "y.org")) NIL NIL NIL NIL))\r\n',
 '* 31 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 30" ((NIL NIL "user-from" "domain.org")) ((NIL NIL '
 '"user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 32 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 31" ((NIL NIL "user-from" "domain.org")) ((NIL NIL '
 '"user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 33 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 32" ((NIL NIL "user-from" "MISSING_DOMAIN")) ((NIL NIL '
 '"user-from" "MISSING_DOMAIN")) ((NIL NIL "user-from" "MISSING_DOMAIN")) ((NIL NIL "user-from" "MISSING_DOMAIN")) NIL '
 'NIL NIL NIL))\r\n',
 '* 34 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 33" (("=?utf-8?b?dXNlci1mcm9tQGRvbWFpbi5vcmc=?=" NIL "z" '
 '"y.org")) (("=?utf-8?b?dXNlci1mcm9tQGRvbWFpbi5vcmc=?=" NIL "z" "y.org")) '
 '(("=?utf-8?b?dXNlci1mcm9tQGRvbWFpbi5vcmc=?=" NIL "z" "y.org")) (("=?utf-8?b?dXNlci1mcm9tQGRvbWFpbi5vcmc=?=" NIL "z" '
 '"y.org")) NIL NIL NIL NIL))\r\n',
 '* 35 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 34" (("c" NIL "user-from" "domain.org")) (("c" NIL '
 '"user-from" "domain.org")) (("c" NIL "user-from" "domain.org")) (("c" NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 36 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 35" ((NIL NIL "user-from" "domain.org")) ((NIL NIL '
 '"user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) ((NIL NIL "user-from" "domain.org")) NIL NIL NIL '
 'NIL))\r\n',
 '* 37 FETCH (ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "env 36" ((NIL NIL "=?utf-8?q?user-from=40domain=2Eorg?=" '
 '"MISSING_DOMAIN")) ((NIL NIL "=?utf-8?q?user-from=40domain=2Eorg?=" "MISSING_DOMAIN")) ((NIL NIL '
 '"=?utf-8?q?user-from=40domain=2Eorg?=" "MISSING_DOMAIN")) ((NIL NIL "=?utf-8?q?user-from=40domain=2Eorg?=" '
 '"MISSING_DOMAIN")) NIL NIL NIL NIL))\r\n']
ADDRESS_SEARCH_RESULTS = {'CC "Real Name"': '* SEARCH',
 'FROM "<user@domain.org>"': '* SEARCH 1 2 3 4 5 6 7 8 9 10 11 13 14 15 16 21 22 25 26',
 'FROM "Group:"': '* SEARCH 13',
 'FROM "Mr. Real"': '* SEARCH 26',
 'FROM "Näme"': '* SEARCH 15 16',
 'FROM "Real Name <user@domain.org>"': '* SEARCH',
 'FROM "Real Name"': '* SEARCH 1 3 5 6 8 9 12 13 14 17 19 20 21 22 23 24 26',
 'FROM "\\"Real Name\\" <user@domain.org>"': '* SEARCH 1 3 5 6 8 9 13 14 21 22',
 'FROM MISSING_DOMAIN': '* SEARCH 18 19 20 33 37',
 'FROM Nested': '* SEARCH 10',
 'FROM comment': '* SEARCH',
 'FROM domain.org': '* SEARCH 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 21 22 23 25 26 27 28 29 30 31 32 34 35 36 37',
 'FROM route1': '* SEARCH 12',
 'FROM user-from@domain.org': '* SEARCH 27 28 29 30 31 32 34 35 36 37',
 'HEADER FROM "Real Name"': '* SEARCH 1 2 3 6 8 9 12 13 14 17 19 20 21 22 23 24 25 26',
 'HEADER FROM comment': '* SEARCH 5 6',
 'NOT FROM user': '* SEARCH 19 20',
 'OR FROM Other TO Second': '* SEARCH 13 21 25',
 'TO "Real ) Name"': '* SEARCH 11',
 'TO user-from@domain.org': '* SEARCH 27 28 29 30 31 32 34 35 36 37'}
MIME_SEARCH_RESULTS = {'BODY Content-Type': '* SEARCH',
 'BODY annual': '* SEARCH',
 'BODY attachment': '* SEARCH',
 'BODY boundary': '* SEARCH',
 'BODY inner': '* SEARCH',
 'BODY report': '* SEARCH 4 10',
 'BODY report.pdf': '* SEARCH',
 'NOT TEXT report': '* SEARCH 6 9 11 13 15 16 17',
 'TEXT "réport"': '* SEARCH',
 'TEXT REPORT2': '* SEARCH 7',
 'TEXT X-Report': '* SEARCH 12',
 'TEXT annual': '* SEARCH 3',
 'TEXT application/pdf': '* SEARCH 1 7 14 15',
 'TEXT epilogue': '* SEARCH',
 'TEXT inner': '* SEARCH 7',
 'TEXT preamble': '* SEARCH',
 'TEXT report': '* SEARCH 1 2 3 4 5 7 8 10 12 14',
 'TEXT report.pdf': '* SEARCH 1 14'}
STRUCTURES = {1: '* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL '
    'NIL)("application" "pdf" ("name" "report.pdf") NIL NIL "base64" 30 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL '
    'NIL NIL) BINARY.SIZE[1] 13)\r\n',
 2: '* 2 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL '
    'NIL)("application" "octet-stream" NIL NIL NIL "7bit" 4 NIL ("attachment" ("filename" "REPORT.bin")) NIL NIL) '
    '"mixed" ("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 3: '* 3 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL)("image" '
    '"png" NIL NIL "=?utf-8?q?annual_report?=" "base64" 14 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL) '
    'BINARY.SIZE[1] 13)\r\n',
 4: '* 4 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 21 1 NIL NIL NIL NIL) "mixed" '
    '("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 21)\r\n',
 5: '* 5 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 1 NIL NIL NIL NIL) '
    'BINARY.SIZE[1] 14)\r\n',
 6: '* 6 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) "mixed" '
    '("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 7: '* 7 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL)("message" '
    '"rfc822" NIL NIL NIL "7bit" 131 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) (("application" "pdf" ("name" '
    '"report2.pdf") NIL NIL "7bit" 2 NIL NIL NIL NIL) "mixed" ("boundary" "in") NIL NIL NIL) 8 NIL NIL NIL NIL) '
    '"mixed" ("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 8: '* 8 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) "mixed" '
    '("boundary" "report-boundary") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 9: '* 9 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL '
    'NIL)("application" "octet-stream" NIL NIL NIL "base64" 10 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL) '
    'BINARY.SIZE[1] 13)\r\n',
 10: '* 10 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL)("text" '
     '"plain" ("charset" "utf-8") NIL NIL "base64" 10 1 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL) '
     'BINARY.SIZE[1] 13)\r\n',
 11: '* 11 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) "mixed" '
     '("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 12: '* 12 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL)("text" '
     '"plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL) '
     'BINARY.SIZE[1] 13)\r\n',
 13: '* 13 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 56 6 NIL NIL NIL NIL) '
     'BINARY.SIZE[1] 43)\r\n',
 14: '* 14 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "quoted-printable" 24 3 NIL NIL NIL '
     'NIL)("application" "pdf" ("name" "report.pdf") NIL NIL "base64" 30 NIL NIL NIL NIL) "mixed" ("boundary" "b1") '
     'NIL NIL NIL) BINARY.SIZE[1] 21)\r\n',
 15: '* 15 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL '
     'NIL)("application" "pdf" ("x-mac-type" "PDF" "name*" "UTF-8\'\'r%C3%A9port.pdf") NIL NIL "base64" 14 NIL '
     '("attachment" ("size" "1234" "creation-date" "Mon, 1 Jan 2024 10:00:00 +0000" "filename*" '
     '"UTF-8\'\'r%C3%A9port.pdf")) NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 16: '* 16 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL '
     'NIL)("application" "octet-stream" ("charset" "x" "name*" "UTF-8\'\'a%C3%A9b.bin") NIL NIL "7bit" 7 NIL '
     '("attachment" ("size" "5" "filename" "plain.bin" "filename" "longname.bin")) NIL NIL) "mixed" ("boundary" "b1") '
     'NIL NIL NIL) BINARY.SIZE[1] 13)\r\n',
 17: '* 17 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "quoted-printable" 33 6 NIL NIL NIL '
     'NIL) BINARY.SIZE[1] 20)\r\n'}
BINARY_PARTS = {13: b'Hello\r\nsoft  break\r\n--\r\nSig \xc3\xa9\r\nlast line\r\n',
 14: b'line one\r\n-- \r\nname\r\n',
 17: b'a \r\nb\r\n-- \r\n-- \r\nend'}


SORTS_ASKED = {
    "subjects": ["(SUBJECT)", "(REVERSE SUBJECT)", "(SUBJECT REVERSE SIZE)", "(SUBJECT DATE)", "(REVERSE SUBJECT REVERSE DATE)",
                 "(ARRIVAL)", "(REVERSE ARRIVAL)", "(REVERSE DATE)"],
    "ccs": ["(CC)", "(REVERSE CC)", "(CC REVERSE ARRIVAL)", "(REVERSE CC REVERSE SIZE)"],
    "tos": ["(DISPLAYTO)", "(REVERSE DISPLAYTO)", "(TO)", "(DISPLAYTO REVERSE DATE)", "(REVERSE DISPLAYTO DATE)"],
}

# THREAD over the same base subjects (RFC 5256 §3): the root set is sorted by date before subjects are merged.
THREADS = {
    "REFERENCES": "* THREAD ((7)(6))((10)(16)(8)(11)(17))(22)(25)(31)(34)(37)(40)(43)(14)((20)(21))((23)(24))(26)"
                  "(29 (1)(4)(19)(28)(2)(5)(38)(3))(32)(35)(41)((44 13)(27))(9)(12)(15)(18)(30)(33)(36)(39)(42)",
    "ORDEREDSUBJECT": "* THREAD (1 (4)(19)(28)(2)(5)(29)(38)(3))(7 6)(10 (16)(8)(11)(17))(13 (44)(27))(22)(25)"
                      "(31 (14)(12)(15)(18))(34)(37)(40)(43)(20 21)(23 24)(26)(32)(35)(41)(9)(30)(33)(36)(39)(42)",
}


def arrival(index):
    """INTERNALDATEs one to three seconds apart, with ties, so that ARRIVAL and the sequence tie-break both count."""
    return f"01-Jan-2024 10:00:{(index * 7) % 3:02d} +0000"


def append(sock, reader, mailbox, messages, dates=None):
    for index, raw in enumerate(messages):
        date = f' "{dates(index)}"' if dates else ""
        sock.sendall(b"a APPEND %s ()%s {%d}\r\n" % (mailbox.encode(), date.encode(), len(raw)))
        assert reader.readline().startswith(b"+")
        sock.sendall(raw + b"\r\n")
        assert command(sock, reader, b"n", b"NOOP")[-1].startswith(b"n OK")


def untagged(lines):
    """The untagged part of a response, literals included, as one string."""
    return b"".join(lines[:-1]).decode().strip()


def fill(server):
    sock, reader = raw_imap(server, USER)
    for mailbox, messages in SORT_MAILBOXES.items():
        assert command(sock, reader, b"c", b"CREATE " + mailbox.encode())[-1].startswith(b"c OK")
        append(sock, reader, mailbox, messages, arrival)
    for mailbox, messages in [("addresses", [address_message(i, a) for i, a in enumerate(ADDRESSES)]), ("mime", MIME_MESSAGES)]:
        assert command(sock, reader, b"c", b"CREATE " + mailbox.encode())[-1].startswith(b"c OK")
        append(sock, reader, mailbox, messages)
    return sock, reader


def check_sorts(sock, reader):
    for mailbox, criteria in SORTS_ASKED.items():
        assert command(sock, reader, b"s", b"SELECT " + mailbox.encode())[-1].startswith(b"s OK")
        for criterion in criteria:
            answer = untagged(command(sock, reader, b"t", f"SORT {criterion} UTF-8 ALL".encode()))
            assert answer == SORTS[(mailbox, criterion)], (mailbox, criterion)
    command(sock, reader, b"s", b"SELECT subjects")
    for algorithm, expected in THREADS.items():
        assert untagged(command(sock, reader, b"t", f"THREAD {algorithm} UTF-8 ALL".encode())) == expected, algorithm


def test_sort_and_thread_by_subject_cc_displayto_and_tie_breaks(imap_server):
    server = imap_server()
    sock, reader = fill(server)
    check_sorts(sock, reader)


def test_sort_keys_stored_by_an_older_build_are_recomputed(objmail_restart):
    """Mail stored before the sort keys changed meaning (format version 1) must sort like new mail."""
    server, restart = objmail_restart
    sock, reader = fill(server)
    sock.close()
    assert server.stop() == 0
    index = sqlite3.connect(server.root / "home" / USER / "objectmail.index.sqlite")
    index.execute("UPDATE message SET sortKeys = x'01000000000000000000'")
    index.commit()
    index.close()
    server = restart()
    sock, reader = raw_imap(server, USER)
    check_sorts(sock, reader)


def test_envelope_keeps_display_names_of_awkward_addresses(imap_server):
    sock, reader = fill(imap_server())
    command(sock, reader, b"s", b"SELECT addresses")
    answer = command(sock, reader, b"f", b"FETCH 1:* (ENVELOPE)")
    assert b"".join(answer[:-1]).decode() == "".join(ENVELOPES)


def test_address_search_matches_name_local_part_domain_and_address(imap_server):
    sock, reader = fill(imap_server())
    command(sock, reader, b"s", b"SELECT addresses")
    for criterion, expected in ADDRESS_SEARCH_RESULTS.items():
        answer = untagged(command(sock, reader, b"q", f"SEARCH CHARSET UTF-8 {criterion}".encode()))
        assert answer == expected, criterion


def test_text_and_body_search_with_mime_part_headers(imap_server):
    sock, reader = fill(imap_server())
    command(sock, reader, b"s", b"SELECT mime")
    for criterion, expected in MIME_SEARCH_RESULTS.items():
        answer = untagged(command(sock, reader, b"q", f"SEARCH CHARSET UTF-8 {criterion}".encode()))
        assert answer == expected, criterion


def test_bodystructure_parameters_and_quoted_printable_binary(imap_server):
    sock, reader = fill(imap_server())
    command(sock, reader, b"s", b"SELECT mime")
    for number, expected in STRUCTURES.items():
        answer = untagged(command(sock, reader, b"f", b"FETCH %d (BODYSTRUCTURE BINARY.SIZE[1])" % number))
        assert answer == expected.strip(), number
    for number, expected in BINARY_PARTS.items():
        lines = command(sock, reader, b"b", b"FETCH %d (BINARY.PEEK[1])" % number)
        response = b"".join(lines[:-1])
        start = response.index(b"}\r\n") + 3
        assert response[start:start + len(expected)] == expected, number
        assert response[start + len(expected):] == b")\r\n", number


# Date: fields for SORT (DATE) and SEARCH SENT*: missing, unreadable, empty and 1970-01-01 count as "no date"
# (INTERNALDATE for SORT, RFC 5256; 1970-01-01 for SENT*, as Dovecot compares); a leap second stays on its day.
DATES = [None, "garbage", "Mon, 1 Jan 2024 10:00:00 +0000", "Mon, 1 Jan 2024 11:00:00 +0100", "Mon, 1 Jan 2024 09:00:00 -0100",
         "1 Jan 2024 10:00 +0000", "Mon, 1 Jan 2024 10:00:00", "Mon, 01 Jan 2024 10:00:00 GMT", "Mon, 1 Jan 2024 05:00:00 EST",
         "Mon, 1 Jan 24 10:00:00 +0000", "Sun, 31 Dec 2023 23:59:60 +0000", "Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
         "Tue, 1 Jan 1970 00:00:00 +0000", ""]
DATE_ANSWERS = {
    "SORT (DATE) UTF-8 ALL": "* SORT 11 1 3 4 5 6 7 8 9 10 12 14 13 2",
    "SORT (REVERSE DATE) UTF-8 ALL": "* SORT 2 13 14 1 3 4 5 6 7 8 9 10 12 11",
    "SORT (DATE REVERSE ARRIVAL) UTF-8 ALL": "* SORT 11 5 12 9 6 3 10 7 4 1 8 14 13 2",
    "SEARCH SENTSINCE 1-Jan-2024": "* SEARCH 3 4 5 6 7 8 9 10 12",
    "SEARCH SENTON 1-Jan-2024": "* SEARCH 3 4 5 6 7 8 9 10 12",
    "SEARCH SENTBEFORE 1-Jan-2024": "* SEARCH 1 2 11 13 14",
    "SEARCH SENTON 1-Jan-1970": "* SEARCH 1 2 13 14",
    "SEARCH SENTON 31-Dec-2023": "* SEARCH 11",
    "SEARCH NOT SENTBEFORE 1-Jan-2024": "* SEARCH 3 4 5 6 7 8 9 10 12",
}


def test_sent_dates_for_sort_and_search(imap_server):
    sock, reader = raw_imap(imap_server(), USER)
    command(sock, reader, b"c", b"CREATE dates")
    messages = [((f"Date: {date}\r\n" if date is not None else "") + f"Subject: d{i}\r\n\r\nbody\r\n").encode()
                for i, date in enumerate(DATES)]
    append(sock, reader, "dates", messages, lambda i: f"01-Jan-2024 10:00:{(i * 5) % 7:02d} +0000")
    command(sock, reader, b"s", b"SELECT dates")
    for request, expected in DATE_ANSWERS.items():
        assert untagged(command(sock, reader, b"d", request.encode())) == expected, request


# SUBJECT compresses runs of blanks (HEADER SUBJECT does not); a line break and the blank after it read as one
# space (Outlook folds with a tab); ENVELOPE keeps such a tab.
HEADER_MESSAGES = [
    b"Subject: two  spaces\r\n and\r\n\tfold\r\nX-Custom: Value =?utf-8?q?enc=C3=A9?=\r\nX-Custom: second\r\nX-H: p\tq\r\n"
    b"X-F: r\r\n\ts\r\n\r\nbody\r\n",
    b"Subject: word1\r\n\tword2\r\nIn-Reply-To: <a@b>\r\n\t<c@d>\r\nDate: Mon, 1 Jan 2024\r\n\t10:00:00 +0000\r\n\r\nbody\r\n",
    b"Subject:   =?utf-8?q?lead?=  \t =?utf-8?q?ing?=  x\r\n\r\nbody\r\n",
]
HEADER_SEARCH_RESULTS = {
    'SUBJECT "two spaces"': "* SEARCH 1", 'SUBJECT "two  spaces"': "* SEARCH", 'SUBJECT "spaces and"': "* SEARCH 1",
    'SUBJECT "and fold"': "* SEARCH 1", 'SUBJECT "and\tfold"': "* SEARCH", 'SUBJECT "two "': "* SEARCH 1",
    'SUBJECT " two"': "* SEARCH", 'HEADER SUBJECT "two spaces"': "* SEARCH", 'HEADER SUBJECT "two  spaces"': "* SEARCH 1",
    'HEADER SUBJECT "and fold"': "* SEARCH 1", 'SUBJECT "word1 word2"': "* SEARCH 2", 'HEADER SUBJECT "word1 word2"': "* SEARCH 2",
    'HEADER X-H "p q"': "* SEARCH", 'HEADER X-F "r s"': "* SEARCH 1", 'HEADER X-F "r\ts"': "* SEARCH",
    'HEADER In-Reply-To "> <"': "* SEARCH 2", "HEADER X-Custom second": "* SEARCH 1", "SUBJECT leading": "* SEARCH 3",
    'SUBJECT "leading x"': "* SEARCH 3", 'SUBJECT "ing x"': "* SEARCH 3", 'HEADER SUBJECT "ing  x"': "* SEARCH 3",
    'TEXT "word1 word2"': "* SEARCH 2", 'TEXT "and fold"': "* SEARCH 1", "NOT SUBJECT fold": "* SEARCH 2 3",
}
TAB_FOLDED_ENVELOPE = ('* 2 FETCH (ENVELOPE ("Mon, 1 Jan 2024\t10:00:00 +0000" {11}\r\nword1 word2 NIL NIL NIL NIL NIL NIL '
                       '"<a@b>\t<c@d>" NIL))')


def test_subject_and_header_search_across_folding(imap_server):
    sock, reader = raw_imap(imap_server(), USER)
    command(sock, reader, b"c", b"CREATE headers")
    append(sock, reader, "headers", HEADER_MESSAGES)
    command(sock, reader, b"s", b"SELECT headers")
    for request, expected in HEADER_SEARCH_RESULTS.items():
        assert untagged(command(sock, reader, b"h", f"SEARCH CHARSET UTF-8 {request}".encode())) == expected, request
    assert untagged(command(sock, reader, b"f", b"FETCH 2 (ENVELOPE)")) == TAB_FOLDED_ENVELOPE


@pytest.fixture
def objmail_restart(objectmail_bin, tmp_path):
    """An IMAP server on a posix store, and a function that starts it again on the same directories."""
    servers = []

    def start():
        port = free_port()
        server = LMTPServer(objectmail_bin, tmp_path, extra=imap_listener(port))
        wait_for_port(port, server.process)
        server.imap_port = port
        servers.append(server)
        return server

    yield start(), start
    for server in servers:
        if server.process.poll() is None:
            assert server.stop() == 0
