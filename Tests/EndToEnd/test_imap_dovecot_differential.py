"""ObjectMail against Dovecot 2.3 (issue 26): the scripted sessions of imap_differential.py run against a private
Dovecot (its own configuration under tmp, sdbox, passwd-file users, 127.0.0.1) and a real ObjectMail, and the
normalised transcripts must be equal step by step, except for the differences in ALLOWED (each with the RFC clause
that permits it; mirrored in docs/imap.md) and the open bugs in KNOWN_BUGS (strict: such a test fails once the bug is
fixed, so the entry gets removed).

Run: OBJECTMAIL_BIN=$(swift build --show-bin-path)/objectmail python3 -m pytest -q Tests/EndToEnd/test_imap_dovecot_differential.py
IMAP_DIFFERENTIAL_REPORT=/tmp/report.txt writes every difference (allowed or not) and both transcripts there."""
import os
import pathlib
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import pytest

import imap_differential as differential
from conftest import REPO, LMTPServer, free_port, imap_listener, wait_for_port

sys.path.insert(0, str(REPO / "bench" / "suite"))
from servers import Dovecot  # noqa: E402  (the benchmark's private Dovecot)


class PrivateDovecot(Dovecot):
    """The benchmark's Dovecot, IMAP only (Debian's dovecot-imapd is what the tests install), on sdbox with "/" as
    the hierarchy separator (ObjectMail's), the notify plugin (NOTIFY), imap_zlib (COMPRESS=DEFLATE) and the
    LOGIN mechanism, so that both servers offer the same things wherever a setting allows."""

    def __init__(self, root: pathlib.Path, users: list[str]):
        super().__init__(root, users)
        text = self.config.read_text()
        maildir = f"mail_location = maildir:{root}/mail/%u/Maildir"
        assert maildir in text and "protocols = imap lmtp" in text, "bench/suite/servers.py changed its Dovecot config"
        text = text.replace(maildir, f"mail_location = sdbox:{root}/mail/%u/sdbox")
        text = text.replace("protocols = imap lmtp", "protocols = imap")
        self.config.write_text(text + """\
namespace inbox {
  inbox = yes
  separator = /
  mailbox INBOX {
    auto = subscribe
  }
}
mail_plugins = notify
protocol imap {
  mail_plugins = $mail_plugins imap_zlib
}
auth_mechanisms = plain login
auth_failure_delay = 0
""")

    def wait_ready(self) -> None:
        wait_for_port(self.imap_port, self.process)


@dataclass(frozen=True)
class Allowed:
    """A difference at one step of one script: the lines only Dovecot sent and the lines only we sent (normalised,
    as the report shows them), and why that is allowed."""
    script: str
    request: str
    dovecot: tuple[str, ...]
    ours: tuple[str, ...]
    why: str

    def matches(self, difference: differential.Difference) -> bool:
        return (difference.script == self.script and difference.request == self.request
                and tuple(map(differential.brief, difference.dovecot)) == self.dovecot
                and tuple(map(differential.brief, difference.ours)) == self.ours)


# Capabilities only one server advertises (dropped from every capability list before comparing; each must really
# differ, see test_capability_allow_list_is_current).
ONLY_OURS = {
    "IMAP4rev2": "RFC 9051: we implement IMAP4rev2 next to IMAP4rev1; Dovecot 2.3 does not.",
    "UTF8=ACCEPT": "RFC 6855: we accept UTF-8 mailbox names and headers after ENABLE; Dovecot 2.3 does not.",
    "CREATE-SPECIAL-USE": "RFC 6154 §3: CREATE ... (USE ...); Dovecot 2.3 has no CREATE-SPECIAL-USE.",
    "CONTEXT=SORT": "RFC 5267 §4: SORT RETURN (UPDATE/PARTIAL); Dovecot 2.3 advertises CONTEXT=SEARCH only.",
}
ONLY_DOVECOT = {
    "LOGIN-REFERRALS": "RFC 2221: Dovecot advertises it always (it can send referrals from a proxy passdb); we "
                       "never send referrals, and a client must not expect them.",
}

# Why each difference is allowed (RFC clause), or which bug it is. Mirrored in docs/imap.md ("Differences from Dovecot").
WHY = {
    # -- allowed: the RFC leaves the choice to the server
    "capability_untagged": "RFC 3501 §6.2.3/§7.1: after LOGIN a server may send the new capabilities as a "
                           "[CAPABILITY] response code (we) or as an untagged CAPABILITY (Dovecot with imap_zlib).",
    "code_dovecot_alert": "RFC 3501 §7.1: response codes are optional; Dovecot marks the refusal of an unknown SASL "
                          "mechanism [ALERT], we answer a plain NO.",
    "code_ours_extra": "RFC 5530 §3: we add a response code (NONEXISTENT, CANNOT) where Dovecot sends none; the "
                       "status word (NO) is the same.",
    "code_dovecot_extra": "RFC 5530 §3: Dovecot adds [CANNOT] to the refusal of an overlong keyword; we answer the "
                          "same NO without a code (docs/imap.md, mail_max_keyword_length).",
    "clientbug": "RFC 5530 §3 CLIENTBUG is advisory: Dovecot flags STATUS on the selected mailbox (RFC 3501 §6.3.10 "
                 "says it SHOULD NOT be used so); the data is the same.",
    "enabled_again": "RFC 5161 §3: ENABLED lists the extensions this ENABLE turned on; CONDSTORE was already on "
                     "(SELECT (CONDSTORE) / a CONDSTORE-enabling command, RFC 7162 §3.1), so we list nothing, "
                     "Dovecot repeats it.",
    "create_inbox": "RFC 3501 §6.3.3: 'It is an error to attempt to create INBOX' (we: NO [ALREADYEXISTS]); "
                    "Dovecot answers OK.",
    "wildcard_names": "RFC 3501 §5.1: % and * in mailbox names are 'inadvisable'; we refuse to create such names "
                      "(NO [CANNOT]) so LIST patterns stay unambiguous, Dovecot creates them (and then lists them).",
    "list_after_create": "Follows from the refused % and * names, and RFC 3501 §6.3.3: CREATE 'trail/' declares a future "
                         "hierarchy: Dovecot makes a \\Noselect name, we a selectable mailbox.",
    "rename_inbox_uidnext": "RFC 3501 §6.3.5 RENAME INBOX leaves INBOX empty; RFC 3501 §2.3.1.1 forbids reusing UIDs "
                            "under the same UIDVALIDITY, so our INBOX keeps UIDNEXT 3; Dovecot recreates INBOX "
                            "(UIDNEXT 1, new UIDVALIDITY). Both valid.",
    "status_deleted": "RFC 9051 §6.3.11: STATUS DELETED is IMAP4rev2 (we advertise it); Dovecot 2.3 is IMAP4rev1 only "
                      "and answers BAD.",
    "read_only": "RFC 3501 §6.3.2: in a mailbox opened with EXAMINE 'no changes are permitted'; we refuse STORE, "
                 "EXPUNGE and MOVE with NO [READ-ONLY] (RFC 5530), Dovecot answers OK and ignores STORE/EXPUNGE "
                 "(and even performs MOVE).",
    "select_bad_keeps": "RFC 3501 §6.3.1 deselects on a failed SELECT (NO); a SELECT with a syntax error (BAD) "
                        "changes nothing with us, Dovecot closes the old mailbox first (the [CLOSED] code of RFC 7162).",
    "append_refuse_after_plus": "RFC 3501 §7.5: a server may refuse an APPEND before the literal (Dovecot: NO or BAD "
                                "instead of '+') or after reading it (we: '+', then the same NO [TRYCREATE] or BAD).",
    "flags_timing": "RFC 3501 §7.2.6: FLAGS must list a keyword before a response uses it, not at any given moment: "
                    "Dovecot announces a new keyword at once (APPEND, STORE .SILENT, another session's APPEND), we "
                    "right before the first FETCH that shows it.",
    "missing_part": "Part 1 (or 1.1, 2.1) of a part that is not multipart: RFC 3501 §6.4.5 defines 'part 1' as the "
                    "body only for a message that is not multipart; Dovecot extends that to nested non-multipart parts "
                    "and returns the part itself, we answer \"\" (BINARY.SIZE 0) as for any section the message "
                    "does not have.",
    "header_fields_case": "RFC 3501 §6.4.5/§9: header-fld-name is case-insensitive; Dovecot echoes the names "
                          "upper-cased in the response, we as requested. Also HEADER.FIELDS.NOT of a message without "
                          "a header/body separator: we end with the blank line RFC 3501 §6.4.5 says is included, "
                          "Dovecot does not (but does for HEADER.FIELDS).",
    "partial_zero": "RFC 3501 §9: partial = \"<\" number \".\" nz-number \">\": <0.0> is a syntax error (we: BAD); "
                    "Dovecot accepts it.",
    "binary_multipart": "RFC 3516 §4.2: BINARY decodes a part's Content-Transfer-Encoding; a multipart section has "
                        "none to decode. Dovecot also decodes the nested parts (dropping their CTE headers), we "
                        "return the section as stored.",
    "rfc2231_dovecot": "RFC 2231 §3: Dovecot merges name*0/name*1 and then mislabels the next parameter title* as "
                       "title*1* in BODYSTRUCTURE (a Dovecot bug); we pass title* through.",
    "dovecot_binary_size": "RFC 3516 §4.2: BINARY.SIZE is the decoded size of the part; Dovecot's value for some parts "
                           "disagrees with the length of its own BINARY[1] answer (and is 2^64-294 for one); ours equals "
                           "BINARY[1]'s length and Python's decoder.",
    "modseq_untracked": "RFC 7162 §3.1: mod-sequence values are the server's; Dovecot gives every message MODSEQ 1 "
                        "until CONDSTORE is first used on the mailbox, we count every change from the start.",
    "modseq_in_fetch": "RFC 7162 §3.2: once CONDSTORE is enabled a server may include MODSEQ in FETCH responses that "
                       "carry FLAGS; we do, Dovecot only when asked (RFC 3501 §7.4.2: extra data items are allowed).",
    "store_unchanged_fetch": "RFC 3501 §6.4.6: STORE without .SILENT SHOULD return the message's flags; we always do, "
                             "Dovecot omits the FETCH when the flags did not change.",
    "keyword_syntax": "RFC 3501 §9: a flag keyword is an atom and ']' is not an atom character: (a]b) is a syntax "
                      "error (we: BAD); Dovecot parses it and refuses the keyword (NO [CANNOT]).",
    "keyword_list": "RFC 3501 §7.2.6: FLAGS lists the flags 'defined in the mailbox'; Dovecot keeps every keyword "
                    "ever used, we list those in use plus new ones this session announced.",
    "search_keyword_announce": "Dovecot registers a keyword named in SEARCH KEYWORD and announces it with FLAGS "
                               "(allowed at any time, RFC 3501 §7.2.6); we do not.",
    "charset_latin1": "RFC 3501 §6.4.4: only US-ASCII and UTF-8 are required in SEARCH CHARSET; we refuse "
                      "ISO-8859-1 with NO [BADCHARSET (UTF-8 US-ASCII)], Dovecot converts it.",
    "badcharset_list": "RFC 3501 §7.1: BADCHARSET may list the supported charsets; we do, Dovecot does not.",
    "recent_count": "RFC 3501 §7.3.2: RECENT is sent on SELECT and 'if the size of the mailbox changes'; we send it "
                    "with every EXISTS (even when the count stays), Dovecot when the count changed, also after "
                    "EXPUNGE and MOVE. The counts agree (IMAP4rev2, RFC 9051, drops RECENT).",
    "unsolicited_extras": "RFC 3501 §7.4.2/§5.2: an unsolicited FETCH may carry any data items (we add UID, and MODSEQ "
                          "once CONDSTORE is on) and the flag change of a message expunged before the update was sent "
                          "may be reported or dropped (Dovecot drops it, re-sends RECENT); RFC 5465: NOTIFY's "
                          "STATUS may carry UIDVALIDITY. The order of EXISTS/EXPUNGE/FETCH is the same; RECENT and "
                          "the moment a keyword is announced differ as described above.",
    "expunged_by_other": "RFC 2180 §4.1.2/§4.1.3: a message another session expunged but whose EXPUNGE this session "
                         "has not been sent yet may be omitted from FETCH (we: OK [EXPUNGEISSUED], as documented) and "
                         "SEARCH results; Dovecot still returns it.",
    "notify_inboxes": "RFC 5465: which mailboxes are INBOXES is the server's choice; Dovecot includes every "
                      "personal mailbox, we only INBOX (mail is delivered only there without sieve).",
    "notify_badevent": "RFC 5465: an event name is an extensible atom; an unknown one is NO [BADEVENT (...)] "
                       "with the supported list (we), Dovecot answers BAD.",
    "notify_none": "RFC 5465 NOTIFY NONE ends NOTIFY's events; base-protocol updates of the selected mailbox at "
                   "NOOP (RFC 3501 §6.1.2) still come from us, Dovecot stays silent.",
    "strict_grammar": "RFC 3501 §9 / RFC 2971 / RFC 5161 grammar: arguments to NOOP, CHECK, EXPUNGE, CAPABILITY, a "
                      "missing ENABLE capability or STORE flag list, 'ID' without a list, an odd ID list, SELECT with "
                      "two names are syntax errors: we answer BAD, Dovecot accepts or answers NO.",
    "quota_unadvertised": "QUOTA is not advertised in this configuration; we recognise GETQUOTAROOT and answer NO, "
                          "Dovecot (no quota plugin) BAD: either is allowed for an unadvertised extension.",
    "xlist": "XLIST is Gmail's pre-RFC 6154 command, advertised by neither server; Dovecot still answers it, we BAD.",
    "create_declaration": "RFC 3501 §6.3.3: a trailing separator in CREATE declares a future parent; 'Server "
                          "implementations that do not require this declaration MUST ignore the declaration', so "
                          "`CREATE trail/` makes a mailbox here (Dovecot's sdbox makes a \\Noselect directory) and what "
                          "is renamed from it is selectable.",
}

# Differences the RFCs allow (generated from a run's report, reasons by hand; see IMAP_DIFFERENTIAL_REPORT).
ALLOWED: list[Allowed] = [
    Allowed('capability', 'LOGIN capability@example.com secret',
            ('* CAPABILITY BINARY CATENATE CHILDREN COMPRESS=DEFLATE CONDSTORE CONTEXT=SEARCH ENABLE ESEARCH ESORT I18NLEVEL=1 ID IDLE IMAP4REV1 LIST-EXTENDED LIST-STATUS LIT… [400 chars, sha1 7cc3d753d0]', '<tag> OK'),
            ('<tag> OK [CAPABILITY BINARY CATENATE CHILDREN COMPRESS=DEFLATE CONDSTORE CONTEXT=SEARCH ENABLE ESEARCH ESORT I18NLEVEL=1 ID IDLE IMAP4REV1 LIST-EXTENDED LIST-ST… [409 chars, sha1 32aeae6cb0]',), WHY['capability_untagged']),
    Allowed('login', 'AUTHENTICATE X-UNKNOWN',
            ('<tag> NO [ALERT]',),
            ('<tag> NO',), WHY['code_dovecot_alert']),
    Allowed('namespace_id', 'ENABLE CONDSTORE',
            ('* ENABLED CONDSTORE',),
            ('* ENABLED',), WHY['enabled_again']),
    Allowed('create_delete_rename', 'CREATE INBOX',
            ('<tag> OK',),
            ('<tag> NO [ALREADYEXISTS]',), WHY['create_inbox']),
    Allowed('create_delete_rename', 'CREATE "wild*card"',
            ('<tag> OK',),
            ('<tag> NO [CANNOT]',), WHY['wildcard_names']),
    Allowed('create_delete_rename', 'CREATE "per%cent"',
            ('<tag> OK',),
            ('<tag> NO [CANNOT]',), WHY['wildcard_names']),
    Allowed('create_delete_rename', 'LIST "" *',
            ('* LIST (\\HasNoChildren \\Noselect) "/" "trail"', '* LIST (\\HasNoChildren) "/" "per%cent"', '* LIST (\\HasNoChildren) "/" "wild*card"'),
            ('* LIST (\\HasNoChildren) "/" "trail"',), WHY['list_after_create']),
    Allowed('create_delete_rename', 'DELETE INBOX',
            ('<tag> NO',),
            ('<tag> NO [CANNOT]',), WHY['code_ours_extra']),
    Allowed('create_delete_rename', 'LIST "" *',
            ('* LIST (\\HasNoChildren \\Noselect) "/" "trail"', '* LIST (\\HasNoChildren) "/" "per%cent"', '* LIST (\\HasNoChildren) "/" "wild*card"'),
            ('* LIST (\\HasNoChildren) "/" "trail"',), WHY['list_after_create']),
    Allowed('create_delete_rename', 'STATUS INBOX (MESSAGES UIDNEXT)',
            ('* STATUS "INBOX" (MESSAGES 0 UIDNEXT 1)',),
            ('* STATUS "INBOX" (MESSAGES 0 UIDNEXT 3)',), WHY['rename_inbox_uidnext']),
    Allowed('list_basic', 'EXAMINE "&-AOk"',
            ('<tag> NO',),
            ('<tag> NO [NONEXISTENT]',), WHY['code_ours_extra']),
    Allowed('lsub_subscribe', 'SUBSCRIBE missing',
            ('<tag> NO',),
            ('<tag> NO [NONEXISTENT]',), WHY['code_ours_extra']),
    Allowed('lsub_subscribe', 'SUBSCRIBE missing/child',
            ('<tag> NO',),
            ('<tag> NO [NONEXISTENT]',), WHY['code_ours_extra']),
    Allowed('select_examine', 'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)',
            ('<tag> OK [CLIENTBUG]',),
            ('<tag> OK',), WHY['clientbug']),
    Allowed('select_examine', 'STATUS INBOX (DELETED)',
            ('<tag> BAD',),
            ('* STATUS "INBOX" (DELETED 0)', '<tag> OK'), WHY['status_deleted']),
    Allowed('select_examine', 'SELECT nothing',
            ('<tag> NO',),
            ('<tag> NO [NONEXISTENT]',), WHY['code_ours_extra']),
    Allowed('select_examine', 'STORE 1 +FLAGS (\\Deleted)',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('select_examine', 'EXPUNGE',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('select_examine', 'SELECT INBOX (BOGUS)',
            ('* OK [CLOSED]',),
            (), WHY['select_bad_keeps']),
    Allowed('append', 'APPEND nothing {301}[From: Alice Example <alice@example.org>\r…]',
            (),
            ('+',), WHY['append_refuse_after_plus']),
    Allowed('append', 'APPEND probe (\\Recent) {301}[From: Alice Example <alice@example.org>\r…]',
            (),
            ('+',), WHY['append_refuse_after_plus']),
    Allowed('append', 'APPEND probe (\\Bogus) {301}[From: Alice Example <alice@example.org>\r…]',
            (),
            ('+',), WHY['append_refuse_after_plus']),
    Allowed('append', 'APPEND probe {301+}[From: Alice Example <alice@example.org>\r…] (\\Bogus) {931}[From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrg…]',
            (),
            ('+',), WHY['append_refuse_after_plus']),
    Allowed('append', 'APPEND INBOX (NIL) {301}[From: Alice Example <alice@example.org>\r…]',
            ('* FLAGS ($Label1 NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)', '* OK [PERMANENTFLAGS ($Label1 NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)]'),
            (), WHY['flags_timing']),
    Allowed('append', 'APPEND INBOX ($New \\Answered) {301+}[From: Alice Example <alice@example.org>\r…]',
            ('* FLAGS ($Label1 $New NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)', '* OK [PERMANENTFLAGS ($Label1 $New NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)]'),
            (), WHY['flags_timing']),
    Allowed('append', 'FETCH 6:* (UID FLAGS)',
            (),
            ('* FLAGS ($Label1 NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)', '* OK [PERMANENTFLAGS ($Label1 NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)]', '* FLAGS ($Label1 $New NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)', '* OK [PERMANENTFLAGS ($Label1 $New NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen custom)]'), WHY['flags_timing']),
    Allowed('fetch', 'FETCH 1:* (BODYSTRUCTURE)',
            ('* 3 FETCH BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0 NIL NIL NIL NIL) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable"… [1085 chars, sha1 c92f079309]',),
            ('* 3 FETCH BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0 NIL NIL NIL NIL) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable"… [1083 chars, sha1 f38fc647e8]',), WHY['rfc2231_dovecot']),
    Allowed('fetch', 'FETCH 1:* (BODY)',
            ('* 3 FETCH BODY ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 48 0) "alternative") ("m… [773 chars, sha1 bd1babe1a1]',),
            ('* 3 FETCH BODY ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 48 0) "alternative") ("m… [771 chars, sha1 f2c37d3237]',), WHY['rfc2231_dovecot']),
    Allowed('fetch', 'FETCH 1:* (BODY.PEEK[1.1])',
            ('* 2 FETCH BODY[1.1] "Gr=C3=BC=C3=9Fe,  \\r\\nsee the attached report.=20\\r\\nsoft line=\\r\\n break here\\r\\n-- \\r\\nJ=C3=BCrgen"', '* 8 FETCH BODY[1.1] "bWlzc2luZyBlbmQgYm91bmRhcnkgcmVwb3J0"'),
            ('* 2 FETCH BODY[1.1] ""', '* 8 FETCH BODY[1.1] ""'), WHY['missing_part']),
    Allowed('fetch', 'FETCH 1:* (BODY.PEEK[2.1])',
            ('* 2 FETCH BODY[2.1] "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K"', '* 8 FETCH BODY[2.1] "AAECAwQFBgcICQoLDA0ODxAREhM=\\r\\n"'),
            ('* 2 FETCH BODY[2.1] ""', '* 8 FETCH BODY[2.1] ""'), WHY['missing_part']),
    Allowed('fetch', 'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From Subject X-Missing)])',
            ('* 1 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: Alice Example <alice@example.org>\\r\\nSubject: Plain report\\r\\n\\r\\n"', '* 2 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <juergen@example.de>\\r\\nSubject: =?iso-8859-1?q?Re=3A_R=E9s… [201 chars, sha1 d35a73a7b7]', '* 3 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: \\"Zed, Carol\\" <carol@example.com>\\r\\nSubject: Fwd: Plain report\\r\\n\\r\\n"', '* 4 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: Real Name <real@example.org> (Comment)\\r\\nSubject: Awkward addresses\\r\\n\\r\\n"', '* 5 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: \\"Real Name\\" <user-from@domain.org>\\r\\nSubject: [list] Re: plain REPORT (fwd)\\r\\n\\r\\n"', '* 6 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: Ana Peña <ana@example.es>\\r\\nSubject: Raw 8-bit Straße subject\\r\\n\\r\\n"', '* 7 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: nobody@example.org\\r\\nSubject: header only\\r\\n\\r\\n"', '* 8 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: broken@example.org\\r\\nSubject: re: Re:   Plain report\\r\\n\\r\\n"', '* 9 FETCH BODY[HEADER.FIELDS (FROM SUBJECT X-MISSING)] "From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@example.fr>\\r\\nSubject: =?utf-8?q?Caf=C3=A9_=C3=A0_midi?=\\r\\n\\r\\n"'),
            ('* 1 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: Alice Example <alice@example.org>\\r\\nSubject: Plain report\\r\\n\\r\\n"', '* 2 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <juergen@example.de>\\r\\nSubject: =?iso-8859-1?q?Re=3A_R=E9s… [201 chars, sha1 7d85b99dea]', '* 3 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: \\"Zed, Carol\\" <carol@example.com>\\r\\nSubject: Fwd: Plain report\\r\\n\\r\\n"', '* 4 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: Real Name <real@example.org> (Comment)\\r\\nSubject: Awkward addresses\\r\\n\\r\\n"', '* 5 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: \\"Real Name\\" <user-from@domain.org>\\r\\nSubject: [list] Re: plain REPORT (fwd)\\r\\n\\r\\n"', '* 6 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: Ana Peña <ana@example.es>\\r\\nSubject: Raw 8-bit Straße subject\\r\\n\\r\\n"', '* 7 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: nobody@example.org\\r\\nSubject: header only\\r\\n\\r\\n"', '* 8 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: broken@example.org\\r\\nSubject: re: Re:   Plain report\\r\\n\\r\\n"', '* 9 FETCH BODY[HEADER.FIELDS (From Subject X-Missing)] "From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@example.fr>\\r\\nSubject: =?utf-8?q?Caf=C3=A9_=C3=A0_midi?=\\r\\n\\r\\n"'), WHY['header_fields_case']),
    Allowed('fetch', 'FETCH 1:* (BODY.PEEK[HEADER.FIELDS.NOT (From Subject Received)])',
            ('* 1 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: Bob <bob@example.net>\\r\\nCc: carol@example.com\\r\\nDate: Mon, 05 Oct 2020 10:00:00 +0000\\r\\nMessag… [263 chars, sha1 e10af8eb8b]', '* 2 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: undisclosed-recipients:;\\r\\nCc: Zoe <ZOE@Example.com>, alice@example.org\\r\\nDate: Tue, 06 Oct 202… [372 chars, sha1 7e7c709595]', '* 3 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: Alice Example <alice@example.org>, Group One: a@example.org, \\"B B\\" <b@example.org>;\\r\\nDate: We… [365 chars, sha1 89753a616b]', '* 4 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "Sender: \\"Real Name\\" <real @ example.org>\\r\\nReply-To: \\"Quoted \\\\\\"Pair\\\\\\" Name\\" <qp@example.org>… [525 chars, sha1 2d3e89ac5b]', '* 5 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "Sender: Real Name (the sender) <sender@example.org>\\r\\nReply-To: real.name@example.org (Real Name)\\r\\… [487 chars, sha1 461042864e]', '* 6 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: user-from@domain.org\\r\\nMessage-ID: <raw-6@example.es>\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text… [308 chars, sha1 98ff70b653]', '* 7 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "Date: Fri, 09 Oct 2020 00:00:00 +0000\\r\\n"', '* 8 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: bob@example.net\\r\\nDate: Sat, 10 Oct 2020 12:00:00 GMT\\r\\nMessage-ID: <broken-8@example.org>\\r\\nI… [278 chars, sha1 716d750190]', '* 9 FETCH BODY[HEADER.FIELDS.NOT (FROM SUBJECT RECEIVED)] "To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\\r\\nCc: bob@example.net\\r\\nDate: Sun, 11 Oct 2020 12:00:00 … [326 chars, sha1 35fcce88a8]'),
            ('* 1 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: Bob <bob@example.net>\\r\\nCc: carol@example.com\\r\\nDate: Mon, 05 Oct 2020 10:00:00 +0000\\r\\nMessag… [263 chars, sha1 7d2d295b6c]', '* 2 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: undisclosed-recipients:;\\r\\nCc: Zoe <ZOE@Example.com>, alice@example.org\\r\\nDate: Tue, 06 Oct 202… [372 chars, sha1 c29edc89fe]', '* 3 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: Alice Example <alice@example.org>, Group One: a@example.org, \\"B B\\" <b@example.org>;\\r\\nDate: We… [365 chars, sha1 40d4c05b5b]', '* 4 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "Sender: \\"Real Name\\" <real @ example.org>\\r\\nReply-To: \\"Quoted \\\\\\"Pair\\\\\\" Name\\" <qp@example.org>… [525 chars, sha1 4936f5a2d6]', '* 5 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "Sender: Real Name (the sender) <sender@example.org>\\r\\nReply-To: real.name@example.org (Real Name)\\r\\… [487 chars, sha1 550976f14c]', '* 6 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: user-from@domain.org\\r\\nMessage-ID: <raw-6@example.es>\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text… [308 chars, sha1 cd298c2bd3]', '* 7 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "Date: Fri, 09 Oct 2020 00:00:00 +0000\\r\\n\\r\\n"', '* 8 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: bob@example.net\\r\\nDate: Sat, 10 Oct 2020 12:00:00 GMT\\r\\nMessage-ID: <broken-8@example.org>\\r\\nI… [278 chars, sha1 d35355c31c]', '* 9 FETCH BODY[HEADER.FIELDS.NOT (From Subject Received)] "To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\\r\\nCc: bob@example.net\\r\\nDate: Sun, 11 Oct 2020 12:00:00 … [326 chars, sha1 7450de119e]'), WHY['header_fields_case']),
    Allowed('fetch', 'FETCH 1:* (BODY.PEEK[]<0.0>)',
            ('* 1 FETCH BODY[]<0> ""', '* 2 FETCH BODY[]<0> ""', '* 3 FETCH BODY[]<0> ""', '* 4 FETCH BODY[]<0> ""', '* 5 FETCH BODY[]<0> ""', '* 6 FETCH BODY[]<0> ""', '* 7 FETCH BODY[]<0> ""', '* 8 FETCH BODY[]<0> ""', '* 9 FETCH BODY[]<0> ""', '<tag> OK'),
            ('<tag> BAD',), WHY['partial_zero']),
    Allowed('fetch', 'FETCH 1:* (BINARY.PEEK[1])',
            ('* 3 FETCH BINARY[1] "--n2\\r\\nContent-Type: text/plain; charset=utf-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\nForwarded below. Übersicht attached.\\r\\n--n2\\r\\nC… [375 chars, sha1 91ae457e2b]',),
            ('* 3 FETCH BINARY[1] "--n2\\r\\nContent-Type: text/plain; charset=utf-8\\r\\nContent-Transfer-Encoding: 8bit\\r\\n\\r\\nForwarded below. Übersicht attached.\\r\\n--n2\\r\\nC… [390 chars, sha1 8a07b4236e]',), WHY['binary_multipart']),
    Allowed('fetch', 'FETCH 1:* (BINARY.PEEK[2])',
            ('* 3 FETCH BINARY[2] "From: Alice Example <alice@example.org>\\r\\nTo: Bob <bob@example.net>\\r\\nSubject: =?utf-8?q?Plain_report_=E2=98=95?=\\r\\nDate: Mon, 05 Oct 20… [654 chars, sha1 8ed10f6c64]',),
            ('* 3 FETCH BINARY[2] "From: Alice Example <alice@example.org>\\r\\nTo: Bob <bob@example.net>\\r\\nSubject: =?utf-8?q?Plain_report_=E2=98=95?=\\r\\nDate: Mon, 05 Oct 20… [644 chars, sha1 eed0c262a0]',), WHY['binary_multipart']),
    Allowed('fetch', 'FETCH 1:* (BINARY.SIZE[1])',
            ('* 3 FETCH BINARY.SIZE[1] 329',),
            ('* 3 FETCH BINARY.SIZE[1] 343',), WHY['binary_multipart']),
    Allowed('fetch', 'FETCH 1:* (BINARY.SIZE[2])',
            ('* 3 FETCH BINARY.SIZE[2] 552',),
            ('* 3 FETCH BINARY.SIZE[2] 578',), WHY['binary_multipart']),
    Allowed('fetch', 'FETCH 1:* (BINARY.PEEK[])',
            ('* 2 FETCH BINARY[] "From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <juergen@example.de>\\r\\nTo: undisclosed-recipients:;\\r\\nCc: Zoe <ZOE@Example.com>, alice@exampl… [970 chars, sha1 30453f0c3f]', '* 3 FETCH BINARY[] "From: \\"Zed, Carol\\" <carol@example.com>\\r\\nTo: Alice Example <alice@example.org>, Group One: a@example.org, \\"B B\\" <b@example.org>;\\r\\nSub… [1800 chars, sha1 5764b9d650]', '* 5 FETCH BINARY[] "From: \\"Real Name\\" <user-from@domain.org>\\r\\nSender: Real Name (the sender) <sender@example.org>\\r\\nReply-To: real.name@example.org (Real N… [560 chars, sha1 1f3e7452e4]', '* 8 FETCH BINARY[] "From: broken@example.org\\r\\nTo: bob@example.net\\r\\nSubject: re: Re:   Plain report\\r\\nDate: Sat, 10 Oct 2020 12:00:00 GMT\\r\\nMessage-ID: <br… [558 chars, sha1 d58c9b9ce6]', '* 9 FETCH BINARY[] "From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@example.fr>\\r\\nTo: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\\r\\nCc: bob@example.net\\r\\nSubject: =?utf… [409 chars, sha1 7529b7d05c]'),
            ('* 2 FETCH BINARY[] "From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <juergen@example.de>\\r\\nTo: undisclosed-recipients:;\\r\\nCc: Zoe <ZOE@Example.com>, alice@exampl… [1014 chars, sha1 08d6acc268]', '* 3 FETCH BINARY[] "From: \\"Zed, Carol\\" <carol@example.com>\\r\\nTo: Alice Example <alice@example.org>, Group One: a@example.org, \\"B B\\" <b@example.org>;\\r\\nSub… [1805 chars, sha1 d8e321edd1]', '* 5 FETCH BINARY[] "From: \\"Real Name\\" <user-from@domain.org>\\r\\nSender: Real Name (the sender) <sender@example.org>\\r\\nReply-To: real.name@example.org (Real N… [572 chars, sha1 e44b14376a]', '* 8 FETCH BINARY[] "From: broken@example.org\\r\\nTo: bob@example.net\\r\\nSubject: re: Re:   Plain report\\r\\nDate: Sat, 10 Oct 2020 12:00:00 GMT\\r\\nMessage-ID: <br… [577 chars, sha1 6aa24bfe4d]', '* 9 FETCH BINARY[] "From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@example.fr>\\r\\nTo: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\\r\\nCc: bob@example.net\\r\\nSubject: =?utf… [415 chars, sha1 e03a00049d]'), WHY['binary_multipart']),
    Allowed('fetch', 'FETCH 1:* (BINARY.SIZE[2.1])',
            ('* 2 FETCH BINARY.SIZE[2.1] 48', '* 8 FETCH BINARY.SIZE[2.1] 20'),
            ('* 2 FETCH BINARY.SIZE[2.1] 0', '* 8 FETCH BINARY.SIZE[2.1] 0'), WHY['missing_part']),
    Allowed('fetch', 'FETCH 1:* (BINARY.PEEK[1.1])',
            ('* 2 FETCH BINARY[1.1] "Grüße,\\r\\nsee the attached report. \\r\\nsoft line break here\\r\\n--\\r\\nJürgen"', '* 8 FETCH BINARY[1.1] "missing end boundary report"'),
            ('* 2 FETCH BINARY[1.1] ""', '* 8 FETCH BINARY[1.1] ""'), WHY['missing_part']),
    Allowed('fetch', 'FETCH 3 FULL',
            ('* 3 FETCH BODY ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 48 0) "alternative") ("m… [773 chars, sha1 bd1babe1a1]',),
            ('* 3 FETCH BODY ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 37 0) ("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 48 0) "alternative") ("m… [771 chars, sha1 f2c37d3237]',), WHY['rfc2231_dovecot']),
    Allowed('fetch', 'FETCH 1 (FLAGS) (CHANGEDSINCE 1)',
            ('* 1 FETCH MODSEQ (M1)',),
            ('* 1 FETCH MODSEQ (M2)',), WHY['modseq_untracked']),
    Allowed('fetch_generated', 'FETCH 1:* (BINARY.SIZE[1])',
            ('* 3 FETCH BINARY.SIZE[1] 242', '* 6 FETCH BINARY.SIZE[1] 273', '* 7 FETCH BINARY.SIZE[1] 225', '* 8 FETCH BINARY.SIZE[1] 343', '* 10 FETCH BINARY.SIZE[1] 81', '* 15 FETCH BINARY.SIZE[1] 18446744073709551322', '* 18 FETCH BINARY.SIZE[1] 416'),
            ('* 3 FETCH BINARY.SIZE[1] 962', '* 6 FETCH BINARY.SIZE[1] 952', '* 7 FETCH BINARY.SIZE[1] 829', '* 8 FETCH BINARY.SIZE[1] 1535', '* 10 FETCH BINARY.SIZE[1] 2010', '* 15 FETCH BINARY.SIZE[1] 2021', '* 18 FETCH BINARY.SIZE[1] 2020'), WHY['dovecot_binary_size']),
    Allowed('store', 'STORE 1 +FLAGS (\\Seen)',
            (),
            ('* 1 FETCH FLAGS (\\Recent \\Seen)',), WHY['store_unchanged_fetch']),
    Allowed('store', 'STORE 1:2 -FLAGS (\\Seen)',
            (),
            ('* 2 FETCH FLAGS (\\Flagged \\Recent)',), WHY['store_unchanged_fetch']),
    Allowed('store', 'STORE 2 +FLAGS.SILENT (newkw)',
            ('* FLAGS ($Label1 \\Answered \\Deleted \\Draft \\Flagged \\Seen newkw)', '* OK [PERMANENTFLAGS ($Label1 \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen newkw)]'),
            (), WHY['flags_timing']),
    Allowed('store', 'FETCH 2 FLAGS',
            (),
            ('* FLAGS ($Label1 \\Answered \\Deleted \\Draft \\Flagged \\Seen newkw)', '* OK [PERMANENTFLAGS ($Label1 \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen newkw)]'), WHY['flags_timing']),
    Allowed('store', 'STORE 4 FLAGS ()',
            (),
            ('* 4 FETCH FLAGS (\\Recent)',), WHY['store_unchanged_fetch']),
    Allowed('store', 'STORE 1 +FLAGS (kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk)',
            ('<tag> NO [CANNOT]',),
            ('<tag> NO',), WHY['code_dovecot_extra']),
    Allowed('store', 'STORE 1 +FLAGS (a]b)',
            ('<tag> NO [CANNOT]',),
            ('<tag> BAD',), WHY['keyword_syntax']),
    Allowed('store', 'STORE 1 +FLAGS (\\SEEN)',
            (),
            ('* 1 FETCH FLAGS (NIL \\Recent \\Seen kw1 kw3)',), WHY['store_unchanged_fetch']),
    Allowed('store', 'STORE 1 +FLAGS (KW1)',
            (),
            ('* 1 FETCH FLAGS (NIL \\Recent \\Seen kw1 kw3)',), WHY['store_unchanged_fetch']),
    Allowed('store', 'FETCH 1:* (FLAGS)',
            (),
            ('* 1 FETCH MODSEQ (M2)', '* 2 FETCH MODSEQ (M3)', '* 3 FETCH MODSEQ (M3)', '* 4 FETCH MODSEQ (M4)', '* 5 FETCH MODSEQ (M1)'), WHY['modseq_in_fetch']),
    Allowed('store', 'SELECT INBOX',
            ('* FLAGS ($Forwarded $Junk $Label1 $Label2 $MDNSent NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen kw1 kw2 kw3 newkw)', '* OK [PERMANENTFLAGS ($Forwarded $Junk $Label1 $Label2 $MDNSent NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen kw1 kw2 kw3 newkw)]'),
            ('* FLAGS ($Forwarded $Junk $Label2 $MDNSent NIL \\Answered \\Deleted \\Draft \\Flagged \\Seen kw1 kw3 newkw)', '* OK [PERMANENTFLAGS ($Forwarded $Junk $Label2 $MDNSent NIL \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen kw1 kw3 newkw)]'), WHY['keyword_list']),
    Allowed('store_condstore', 'STATUS INBOX (HIGHESTMODSEQ)',
            ('<tag> OK [CLIENTBUG]',),
            ('<tag> OK',), WHY['clientbug']),
    Allowed('condstore_enable', 'STATUS INBOX (HIGHESTMODSEQ)',
            ('<tag> OK [CLIENTBUG]',),
            ('<tag> OK',), WHY['clientbug']),
    Allowed('condstore_enable', 'FETCH 1:* (FLAGS)',
            (),
            ('* 1 FETCH MODSEQ (M3)', '* 2 FETCH MODSEQ (M4)', '* 3 FETCH MODSEQ (M1)'), WHY['modseq_in_fetch']),
    Allowed('search', 'SEARCH KEYWORD nothing',
            ('* FLAGS ($Label1 \\Answered \\Deleted \\Draft \\Flagged \\Seen custom nothing)', '* OK [PERMANENTFLAGS ($Label1 \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen custom nothing)]'),
            (), WHY['search_keyword_announce']),
    Allowed('search', 'SEARCH CHARSET ISO-8859-1 BODY {4+}[caf\\xe9]',
            ('* SEARCH 5 9', '<tag> OK'),
            ('<tag> NO [BADCHARSET (UTF-8 US-ASCII)]',), WHY['charset_latin1']),
    Allowed('search', 'SEARCH CHARSET X-UNKNOWN SUBJECT x',
            ('<tag> NO [BADCHARSET]',),
            ('<tag> NO [BADCHARSET (UTF-8 US-ASCII)]',), WHY['badcharset_list']),
    Allowed('esearch', 'SEARCH RETURN (MIN) KEYWORD nothing',
            ('* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen nothing)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen nothing)]'),
            (), WHY['search_keyword_announce']),
    Allowed('sort_thread', 'SORT (SUBJECT) X-UNKNOWN ALL',
            ('<tag> NO [BADCHARSET]',),
            ('<tag> NO [BADCHARSET (UTF-8 US-ASCII)]',), WHY['badcharset_list']),
    Allowed('sort_thread', 'THREAD REFERENCES X-UNKNOWN ALL',
            ('<tag> NO [BADCHARSET]',),
            ('<tag> NO [BADCHARSET (UTF-8 US-ASCII)]',), WHY['badcharset_list']),
    Allowed('copy_move', 'MOVE 2 dest',
            ('* 6 RECENT',),
            (), WHY['recent_count']),
    Allowed('copy_move', 'UID MOVE 4:5 dest',
            ('* 4 RECENT',),
            (), WHY['recent_count']),
    Allowed('copy_move', 'MOVE 1:2 dest',
            (),
            ('* 6 RECENT',), WHY['recent_count']),
    Allowed('copy_move', 'MOVE 1 INBOX',
            ('* OK [COPYUID V1 3 9]', '* 1 EXPUNGE', '<tag> OK'),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('expunge', 'EXPUNGE',
            ('* 6 RECENT',),
            (), WHY['recent_count']),
    Allowed('expunge', 'UID EXPUNGE 1:3',
            ('* 4 RECENT',),
            (), WHY['recent_count']),
    Allowed('expunge', 'EXPUNGE',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['recent_count']),
    Allowed('expunge', 'UID EXPUNGE 1:*',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('qresync', 'UID EXPUNGE 100',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('qresync', 'STORE 1 +FLAGS.SILENT (\\Deleted)',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('qresync', 'UID EXPUNGE 1',
            ('<tag> OK',),
            ('<tag> NO [READ-ONLY]',), WHY['read_only']),
    Allowed('idle', '<unsolicited>',
            (),
            ('* 1 FETCH UID 1',), WHY['unsolicited_extras']),
    Allowed('idle', 'APPEND INBOX (\\Seen fresh) "20-Oct-2020 10:00:00 +0000" {301+}[From: Alice Example <alice@example.org>\r…]',
            ('* FLAGS ($NewKeyword \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)', '* OK [PERMANENTFLAGS ($NewKeyword \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)]'),
            (), WHY['flags_timing']),
    Allowed('idle', '<unsolicited>',
            ('* FLAGS ($NewKeyword \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)', '* OK [PERMANENTFLAGS ($NewKeyword \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)]'),
            ('* 3 RECENT',), WHY['unsolicited_extras']),
    Allowed('idle', '<unsolicited>',
            (),
            ('* 2 FETCH UID 2',), WHY['unsolicited_extras']),
    Allowed('idle', '<unsolicited>',
            ('* 2 RECENT',),
            (), WHY['unsolicited_extras']),
    Allowed('idle', 'FETCH 1:* (UID FLAGS)',
            (),
            ('* 1 FETCH MODSEQ (M3)', '* 2 FETCH MODSEQ (M4)', '* FLAGS ($NewKeyword \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)', '* OK [PERMANENTFLAGS ($NewKeyword \\* \\Answered \\Deleted \\Draft \\Flagged \\Seen fresh)]', '* 3 FETCH MODSEQ (M5)'), WHY['flags_timing']),
    Allowed('idle', 'ENABLE CONDSTORE',
            ('* ENABLED CONDSTORE',),
            ('* ENABLED',), WHY['enabled_again']),
    Allowed('idle', '<unsolicited>',
            ('* 1 FETCH MODSEQ (M4)',),
            ('* 1 FETCH MODSEQ (M6)', '* 1 FETCH UID 1'), WHY['unsolicited_extras']),
    Allowed('noop_catchup', 'APPEND INBOX (other2) "21-Oct-2020 10:00:00 +0000" {931+}[From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrg…]',
            ('* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)]'),
            (), WHY['flags_timing']),
    Allowed('noop_catchup', 'FETCH 1:* (UID)',
            ('* 2 FETCH UID 2', '* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)]', '* 1 FETCH FLAGS (\\Recent other1)', '* 2 FETCH FLAGS (\\Deleted \\Recent)', '* 5 EXISTS', '<tag> OK'),
            ('* 5 EXISTS', '* 4 RECENT', '* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen other1)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen other1)]', '* 1 FETCH FLAGS (\\Recent other1)', '* 1 FETCH UID 1', '* 5 FETCH UID 5', '<tag> OK [EXPUNGEISSUED]'), WHY['expunged_by_other']),
    Allowed('noop_catchup', 'SEARCH ALL',
            ('* SEARCH 1 2 3 4 5',),
            ('* SEARCH 1 3 4 5',), WHY['expunged_by_other']),
    Allowed('noop_catchup', 'NOOP',
            ('* 3 RECENT',),
            (), WHY['recent_count']),
    Allowed('noop_catchup', 'FETCH 1:* (UID FLAGS)',
            (),
            ('* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen other1 other2)]'), WHY['flags_timing']),
    Allowed('noop_catchup', 'STORE 1 FLAGS (\\Seen)',
            ('* 2 FETCH FLAGS (\\Seen)',),
            ('* 2 FETCH FLAGS (\\Seen)', '* 2 FETCH UID 3'), WHY['unsolicited_extras']),
    Allowed('noop_catchup', 'CHECK',
            (),
            ('* 1 FETCH UID 1',), WHY['unsolicited_extras']),
    Allowed('notify', 'NOTIFY SET STATUS (INBOXES (MessageNew MessageExpunge))',
            ('* STATUS "other" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY V1 UNSEEN 0)', '* STATUS "x" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY V3 UNSEEN 0)'),
            (), WHY['notify_inboxes']),
    Allowed('notify', 'NOTIFY SET (SELECTED (Bogus))',
            ('<tag> BAD',),
            ('<tag> NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)]',), WHY['notify_badevent']),
    Allowed('notify', '<unsolicited>',
            ('* STATUS "other" (HIGHESTMODSEQ M3 MESSAGES 1 UIDNEXT 2 UNSEEN 1)',),
            ('* STATUS "other" (HIGHESTMODSEQ M3 MESSAGES 1 UIDNEXT 2 UIDVALIDITY V1 UNSEEN 1)',), WHY['unsolicited_extras']),
    Allowed('notify', '<unsolicited>',
            (),
            ('* 1 FETCH UID 1',), WHY['unsolicited_extras']),
    Allowed('notify', '<unsolicited>',
            (),
            ('* 2 RECENT', '* 3 FETCH MODSEQ (M5)'), WHY['unsolicited_extras']),
    Allowed('notify', 'NOOP',
            (),
            ('* 2 FETCH FLAGS (\\Recent \\Seen)', '* 2 FETCH MODSEQ (M6)', '* 2 FETCH UID 2'), WHY['notify_none']),
    Allowed('errors', 'SELECT a b',
            ('<tag> NO',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'STATUS nothing (MESSAGES)',
            ('<tag> NO',),
            ('<tag> NO [NONEXISTENT]',), WHY['code_ours_extra']),
    Allowed('errors', 'NOOP extra',
            ('<tag> OK',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'CAPABILITY extra',
            ('* CAPABILITY BINARY CATENATE CHILDREN COMPRESS=DEFLATE CONDSTORE CONTEXT=SEARCH ENABLE ESEARCH ESORT I18NLEVEL=1 ID IDLE IMAP4REV1 LIST-EXTENDED LIST-STATUS LIT… [400 chars, sha1 7cc3d753d0]', '<tag> OK'),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'ENABLE',
            ('<tag> OK',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'STORE 1 +FLAGS',
            ('<tag> OK',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'EXPUNGE extra',
            ('<tag> OK',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'CHECK extra',
            ('<tag> OK',),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'ID',
            ('* ID <server-specific>', '<tag> OK'),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'ID ("a")',
            ('* ID <server-specific>', '<tag> OK'),
            ('<tag> BAD',), WHY['strict_grammar']),
    Allowed('errors', 'GETQUOTAROOT INBOX',
            ('<tag> BAD',),
            ('<tag> NO',), WHY['quota_unadvertised']),
    Allowed('errors', 'XLIST "" *',
            ('* LIST (\\HasNoChildren) "/" "INBOX"', '<tag> OK'),
            ('<tag> BAD',), WHY['xlist']),
    Allowed('create_delete_rename', 'LIST "" *',
            ('* LIST (\\HasNoChildren \\Noselect) "/" "box/sub"', '* LIST (\\HasNoChildren) "/" "per%cent"', '* LIST (\\HasNoChildren) "/" "wild*card"'),
            ('* LIST (\\HasNoChildren) "/" "box/sub"',), WHY['create_declaration']),
    Allowed('create_delete_rename', 'LIST "" *',
            ('* LIST (\\HasNoChildren \\Noselect) "/" "box/sub"', '* LIST (\\HasNoChildren) "/" "per%cent"', '* LIST (\\HasNoChildren) "/" "wild*card"'),
            ('* LIST (\\HasNoChildren) "/" "box/sub"',), WHY['create_declaration']),
    Allowed('create_delete_rename', 'LIST "" *',
            ('* LIST (\\HasNoChildren \\Noselect) "/" "box/sub"', '* LIST (\\HasNoChildren) "/" "per%cent"', '* LIST (\\HasNoChildren) "/" "wild*card"'),
            ('* LIST (\\HasNoChildren) "/" "box/sub"',), WHY['create_declaration']),
    Allowed('append', 'APPEND probe {0}[]', (), ('+',), WHY['append_refuse_after_plus']),
    Allowed('qresync', 'EXPUNGE', ('* 4 RECENT',), (), WHY['recent_count']),
    Allowed('create_delete_rename', 'SELECT box/sub',
            ('<tag> NO',),
            ('* 0 EXISTS', '* 0 RECENT', '* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen)', '* OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen)]', '* OK [UIDNEXT 1]', '* OK [UIDVALIDITY V1]', '<tag> OK [READ-WRITE]'), WHY['create_declaration']),
]

# Differences that are bugs someone is fixing: each is an xfail(strict) test below, so CI stays green while the bug is
# open and fails as soon as it is fixed (then delete the entry).
KNOWN_BUGS: list[Allowed] = []



def run_both(script, dovecot_port: int, ours_port: int, user: str):
    transcripts = {}

    def run(name, port):
        harness = differential.Harness(port, user)
        try:
            script(harness)
        finally:
            harness.close()
        transcripts[name] = harness.transcript

    threads = [threading.Thread(target=run, args=(name, port)) for name, port in
               (("dovecot", dovecot_port), ("ours", ours_port))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return transcripts


# The post-login capability words of each server, filled by the `differences` fixture.
capabilities: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def differences(objectmail_bin, tmp_path_factory):
    """{script: [Difference]} from running every script once against both servers."""
    users = [f"{name}@example.com" for name in differential.SCRIPTS]
    # Dovecot's auth process (user dovecot) must reach its passwd-file: not under pytest's 0700 base directory.
    dovecot_root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-differential-dovecot-"))
    os.chmod(dovecot_root, 0o755)
    dovecot = PrivateDovecot(dovecot_root / "dovecot", users)
    dovecot.start()
    root = tmp_path_factory.mktemp("objectmail")
    imap_port = free_port()
    ours = LMTPServer(objectmail_bin, root, extra=imap_listener(imap_port))
    wait_for_port(imap_port, ours.process)
    # passwd-file is re-read when it changes: one fresh user per script.
    with open(root / "users", "a") as users_file:
        users_file.writelines(f"{user}:{{PLAIN}}{differential.PASSWORD}::::::\n" for user in users)
    ignored = set(ONLY_OURS) | set(ONLY_DOVECOT)
    found, report = {}, []
    capabilities.clear()
    try:
        for name, script in differential.SCRIPTS.items():
            started = time.time()
            transcripts = run_both(script, dovecot.imap_port, imap_port, f"{name}@example.com")
            steps = {side: differential.normalise(transcript, ignored, now=started)
                     for side, transcript in transcripts.items()}
            found[name] = differential.compare(name, steps["dovecot"], steps["ours"])
            if name == "capability":
                for side, transcript in transcripts.items():
                    capabilities[side] = differential.advertised(transcript)
            report.append(f"===== {name}: {len(found[name])} differences")
            report += [difference.describe() for difference in found[name]]
            for side in ("dovecot", "ours"):
                report.append(f"----- {name} transcript {side}")
                for step in steps[side]:
                    report.append(f"{step.session}> {step.request}")
                    report += ["    " + line[:2000] for line in step.lines]
    finally:
        dovecot.stop()
        ours.stop()
        shutil.rmtree(dovecot_root, ignore_errors=True)
        if os.environ.get("IMAP_DIFFERENTIAL_REPORT"):
            pathlib.Path(os.environ["IMAP_DIFFERENTIAL_REPORT"]).write_text("\n".join(report) + "\n")
    return found


@pytest.mark.parametrize("name", list(differential.SCRIPTS))
def test_script_answers_like_dovecot(differences, name):
    unexplained = [difference for difference in differences[name]
                   if not any(entry.matches(difference) for entry in ALLOWED + KNOWN_BUGS)]
    assert not unexplained, "\n".join(difference.describe() for difference in unexplained)


def test_allow_list_entries_still_differ(differences):
    stale = [entry for entry in ALLOWED if not any(entry.matches(difference) for difference in differences[entry.script])]
    assert not stale, f"ALLOWED entries that no longer match a difference (remove or update them): {stale}"


def test_capability_allow_list_is_current(differences):
    """Each capability in ONLY_OURS / ONLY_DOVECOT really is advertised by that server alone, and no other differs."""
    assert capabilities["ours"] - capabilities["dovecot"] == {word.upper() for word in ONLY_OURS}
    assert capabilities["dovecot"] - capabilities["ours"] == {word.upper() for word in ONLY_DOVECOT}


@pytest.mark.parametrize("bug", [pytest.param(bug, id=f"{bug.script}: {bug.request}"[:80],
                                              marks=pytest.mark.xfail(strict=True, reason=bug.why))
                                 for bug in KNOWN_BUGS])
def test_known_bug_still_differs(differences, bug):
    assert not any(bug.matches(difference) for difference in differences[bug.script]), bug.why
