import Foundation
import Sieve
import Testing

@Suite("Sieve interpreter: actions")
struct ActionTests {
    @Test("implicit keep, keep, discard, stop")
    func basics() throws {
        #expect(try actions("") == ["implicit keep"])
        #expect(try actions("keep;") == ["fileinto INBOX"])
        #expect(try actions("discard;") == ["discard"])
        #expect(try actions("stop; discard;") == ["implicit keep"])
    }

    @Test("fileinto cancels the implicit keep; :copy keeps it; :create is reported; duplicates merge")
    func fileinto() throws {
        let req = "require [\"fileinto\", \"copy\", \"mailbox\"];\n"
        #expect(try actions(req + "fileinto \"A\";") == ["fileinto A"])
        #expect(try actions(req + "fileinto :copy \"A\";") == ["fileinto A copy", "implicit keep"])
        #expect(try actions(req + "fileinto :create \"A\"; fileinto \"A\";") == ["fileinto A create"])
        // A second store into the same mailbox replaces the first one's flags (Pigeonhole's merge).
        #expect(try actions("require [\"fileinto\", \"imap4flags\"]; fileinto :flags \"x\" \"A\"; fileinto \"A\";") == ["fileinto A"])
    }

    @Test("redirect, :copy, duplicate addresses merged, invalid address is a runtime error")
    func redirect() throws {
        #expect(try actions("redirect \"a@b.c\"; redirect \"A@b.c\";") == ["redirect a@b.c"])
        #expect(try actions("require \"copy\"; redirect :copy \"a@b.c\";") == ["redirect a@b.c copy", "implicit keep"])
        #expect(try actions("redirect \"nobody\";").first?.hasPrefix("error: line 1: error: specified redirect address") == true)
    }

    @Test("reject and ereject cancel the implicit keep")
    func reject() throws {
        #expect(
            try actions("require [\"reject\", \"fileinto\"];\nfileinto \"A\";\nreject \"no\";")
                == ["error: line 3: error: reject/ereject action conflicts with other action: the store action (line 2) tries to deliver the message"])
        #expect(
            try actions("require \"reject\";\nreject \"no\";\nredirect \"a@b.c\";")
                == ["error: line 2: error: reject/ereject action conflicts with other action: the redirect action (line 3) tries to deliver the message"])
        #expect(
            try actions("require [\"reject\", \"vacation\"];\nreject \"no\";\nvacation \"x\";")
                == ["error: line 3: error: vacation action conflicts with other action: the reject action (line 2) also sends a response back to the sender"])
        #expect(
            try actions("require \"reject\";\nreject \"a\";\nreject \"b\";")
                == ["error: line 3: error: duplicate reject/ereject action not allowed (previously triggered one was here: line 2)"])
        #expect(try actions("require \"reject\"; reject \"no\"; discard;") == ["reject no", "discard"])
        #expect(try actions("require \"reject\"; reject \"no\";") == ["reject no"])
        #expect(try actions("require \"ereject\"; ereject \"no\";") == ["ereject no"])
    }

    @Test("imap4flags: internal variable, :flags, variables, hasflag")
    func flags() throws {
        let req = "require [\"imap4flags\", \"fileinto\", \"variables\"];\n"
        #expect(try actions(req + "addflag [\"\\\\Seen\", \"a b\"]; removeflag \"a\";") == ["implicit keep flags=\\Seen,b"])
        #expect(try actions(req + "setflag \"x\"; fileinto \"F\"; setflag \"y\"; keep;") == ["fileinto F flags=x", "fileinto INBOX flags=y"])
        #expect(try actions(req + "addflag \"x\"; keep :flags \"z\";") == ["fileinto INBOX flags=z"])
        #expect(try actions(req + "addflag \"v\" \"p q\"; if hasflag \"v\" \"q\" { fileinto \"Q\"; }") == ["fileinto Q"])
        #expect(try actions(req + "addflag \"Important\"; if hasflag :is \"important\" { discard; }") == ["discard"])
        #expect(try actions(req + "setflag \"v\" \"a\"; setflag \"${v}\";") == ["implicit keep flags=a"])
    }

    @Test("vacation: period, handle, subject; a response only when due")
    func vacation() throws {
        let req = "require [\"vacation\", \"vacation-seconds\"];\n"
        #expect(try actions(req + "vacation :days 3 :subject \"away\" \"gone\";") == ["vacation 259200 away gone", "implicit keep"])
        #expect(try actions(req + "vacation :seconds 60 \"gone\";") == ["vacation 86400 - gone", "implicit keep"])
        // Already responded (the injected check), a list message, the null sender, mail not addressed to me.
        let responded = SieveEnvironment(alreadyResponded: { sender, handle, period in
            sender == "sender@example.com" && handle == "gone<default-subject><default-from><NO-MIME>" && period == 604800
        })
        #expect(try actions(req + "vacation \"gone\";", env: responded) == ["implicit keep"])
        let list = sampleMessage.replacingOccurrences(of: "X-Spam-Score", with: "Precedence: bulk\r\nX-Spam-Score")
        #expect(try actions(req + "vacation \"gone\";", message(list)) == ["implicit keep"])
        #expect(try actions(req + "vacation \"gone\";", message(from: "")) == ["implicit keep"])
        #expect(try actions(req + "vacation \"gone\";", message(to: "zed@example.org")) == ["implicit keep"])
        #expect(try actions(req + "vacation :addresses \"dave@example.org\" \"gone\";", message(to: "zed@example.org")).count == 2)
        let r = try run(req + "vacation :mime :from \"me@example.org\" :handle \"h\" \"Content-Type: text/plain\r\n\r\nx\";")
        guard case .vacation(let v)? = r.actions.first else {
            Issue.record("no vacation")
            return
        }
        #expect(v.mime && v.handle == "h" && v.from == "me@example.org" && v.recipient == "sender@example.com")
    }

    @Test("a second vacation is a runtime error; runtime errors keep the message")
    func runtimeError() throws {
        let r = try run("require \"vacation\"; discard; vacation \"a\"; vacation \"b\";")
        #expect(r.runtimeError == "line 1: error: duplicate vacation action not allowed (previously triggered one was here: line 1)")
        #expect(r.actions.isEmpty)
        #expect(r.implicitKeep == .store(mailbox: "INBOX", flags: [], copy: false, create: false))
    }

    @Test("include: personal and global, :once, return, global variables, loops")
    func include() throws {
        let scripts: [String: String] = [
            "personal:sub": "require [\"include\", \"fileinto\"]; fileinto \"Sub\"; return; discard;",
            "global:g": "require [\"include\", \"variables\", \"fileinto\"]; global \"box\"; fileinto \"${box}\";",
            "personal:loop": "require \"include\"; include \"loop\";",
            "personal:bad": "foo;"
        ]
        let env = SieveEnvironment(loadScript: { name, loc in scripts["\(loc.rawValue):\(name)"] })
        #expect(try actions("require \"include\"; include \"sub\"; include :once \"sub\"; keep;", env: env) == ["fileinto Sub", "fileinto INBOX"])
        #expect(try actions("require [\"include\", \"variables\"]; global \"box\"; set \"box\" \"G\"; include :global \"g\";", env: env) == ["fileinto G"])
        #expect(try actions("require \"include\"; include \"loop\";", env: env) == ["error: line 1: error: include: circular include of script 'loop'"])
        #expect(try actions("require \"include\"; include \"missing\";", env: env).first?.contains("does not exist") == true)
        #expect(try actions("require \"include\"; include :optional \"missing\";", env: env) == ["implicit keep"])
        #expect(try actions("require \"include\"; include \"bad\";", env: env).first?.contains("unknown command 'foo'") == true)
    }

    @Test("editheader: added headers are seen by later tests and stored; deleteheader with :index and patterns")
    func editheader() throws {
        let req = "require [\"editheader\", \"fileinto\"];\n"
        #expect(try actions(req + "addheader \"X-A\" \"1\"; if header :is \"x-a\" \"1\" { fileinto \"A\"; }") == ["fileinto A"])
        let r = try run(
            req
                + "addheader :last \"X-Last\" \"v\"; addheader \"X-First\" \"w\"; deleteheader :contains \"subject\" \"invoice\"; deleteheader :index 1 \"x-spam-score\";"
        )
        let edited = String(decoding: r.editedMessage ?? [], as: UTF8.self)
        #expect(edited.hasPrefix("X-First: w\r\nReturn-Path:"))
        #expect(edited.contains("X-Last: v\r\n\r\nHello Bob"))
        #expect(!edited.contains("Subject:") && !edited.contains("X-Spam-Score"))
        #expect(try run("keep;").editedMessage == nil)
    }

    @Test("duplicate: the injected tracker answers; ids to record come back")
    func duplicate() throws {
        let seen = SieveEnvironment(duplicateSeen: { id, _ in id.hasSuffix("<abc123@example.com>") })
        #expect(try actions("require \"duplicate\"; if duplicate { discard; }", env: seen) == ["discard"])
        #expect(try actions("require \"duplicate\"; if duplicate :uniqueid \"x\" { discard; }", env: seen) == ["implicit keep"])
        let r = try run("require \"duplicate\"; if duplicate :handle \"h\" :seconds 60 { discard; }")
        #expect(r.duplicateMarks == [SieveDuplicateMark(id: "h\u{0}<abc123@example.com>", seconds: 60)])
    }
}

@Suite("Sieve interpreter: tests and matching")
struct TestTests {
    func yes(_ test: String, _ req: [String] = [], _ msg: SieveMessage = message(), env: SieveEnvironment = SieveEnvironment()) throws -> Bool {
        let require = req.isEmpty ? "" : "require [" + req.map { "\"\($0)\"" }.joined(separator: ", ") + "];\n"
        return try actions(require + "if \(test) { discard; }", msg, env: env) == ["discard"]
    }

    @Test("header: :is, :contains, :matches, case, encoded words, exists, size")
    func header() throws {
        #expect(try yes(#"header :is "subject" "hello world, invoice 2026-42""#))
        #expect(try yes(#"header :contains ["x-none", "subject"] "INVOICE""#))
        #expect(try !yes(#"header :comparator "i;octet" :contains "subject" "INVOICE""#))
        #expect(try yes(#"header :matches "subject" "Hello*42""#))
        #expect(try yes(#"header :matches "subject" "?ello*""#))
        #expect(try !yes(#"header :matches "subject" "ello*""#))
        #expect(try yes(#"header :matches "x-spam-score" "?""#))
        #expect(try !yes(#"header :matches "subject" "Hello\\*""#))
        let encoded = sampleMessage.replacingOccurrences(of: "Subject: Hello world, invoice 2026-42", with: "Subject: =?UTF-8?B?UmVjaG51bmcgZsO8cg==?=")
        #expect(try yes(#"header :is "subject" "Rechnung für""#, [], message(encoded)))
        #expect(try yes(#"exists ["from", "message-id"]"#))
        #expect(try !yes(#"exists ["from", "x-none"]"#))
        #expect(try yes("size :over 100") && yes("size :under 1K") && !yes("size :over 1M"))
        #expect(try yes("allof (true, not false)") && yes("anyof (false, true)") && !yes("anyof (false, false)"))
    }

    @Test("address and envelope with address parts, subaddress")
    func address() throws {
        #expect(try yes(#"address :domain "from" "EXAMPLE.com""#))
        #expect(try yes(#"address :localpart "from" "alice+lists""#))
        #expect(try yes(#"address :all :is "to" "carol@example.net""#))
        #expect(try yes(#"address :user "from" "alice""#, ["subaddress"]))
        #expect(try yes(#"address :detail "from" "lists""#, ["subaddress"]))
        #expect(try !yes(#"address :detail :matches "to" "*""#, ["subaddress"]))
        #expect(try yes(#"envelope :domain "from" "example.com""#, ["envelope"]))
        #expect(try yes(#"envelope :localpart "to" "bob""#, ["envelope"]))
        #expect(try yes(#"envelope :is "from" """#, ["envelope"], message(from: "")))
    }

    @Test("match variables from :matches and :regex")
    func matchVariables() throws {
        let s = """
            require ["variables", "fileinto", "regex"];
            if header :matches "subject" "* world, * *-*" { fileinto "${1}|${2}|${3}|${4}|${0}"; }
            if header :regex "from" "([a-z]+)\\\\+([a-z]+)@" { fileinto "${1}-${2}"; }
            """
        #expect(try actions(s) == ["fileinto Hello|invoice|2026|42|Hello world, invoice 2026-42", "fileinto alice-lists"])
    }

    @Test("regex: POSIX extended syntax, case-insensitive under casemap, back-references refused")
    func regex() throws {
        #expect(try yes(#"header :regex "subject" "^hello (world|there)""#, ["regex"]))
        #expect(try !yes(#"header :regex :comparator "i;octet" "subject" "^hello""#, ["regex"]))
        #expect(compileError("require \"regex\";\nif header :regex \"subject\" \"(a)\\\\1\" {}")?.contains("back-references are not supported") == true)
    }

    @Test("relational :count and :value with i;ascii-numeric")
    func relational() throws {
        let req = ["relational", "comparator-i;ascii-numeric"]
        #expect(try yes(#"header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "5""#, req))
        #expect(try !yes(#"header :value "lt" :comparator "i;ascii-numeric" "x-spam-score" "5""#, req))
        #expect(try yes(#"address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "3""#, req))
        #expect(try yes(#"header :value "gt" "subject" "A""#, req))
        #expect(try yes(#"header :is :comparator "i;ascii-numeric" "x-spam-score" "007""#, req))
    }

    @Test("string and set with every modifier")
    func variables() throws {
        let s = """
            require ["variables", "fileinto"];
            set "name" "World";
            set :lower "l" "ABC"; set :upper "u" "abc"; set :lowerfirst "lf" "ABC"; set :upperfirst "uf" "abc";
            set :quotewildcard "q" "a*b?c\\\\"; set :length "n" "abcd"; set :upperfirst :lower "mix" "hELLO";
            if string :is "${l}${u}${lf}${uf}${n}${mix}" "abcABCaBCAbc4Hello" { fileinto "${q}"; }
            if string :is "${undefined}" "" { fileinto "Hello ${name}"; }
            """
        #expect(try actions(s) == ["fileinto a\\*b\\?c\\\\", "fileinto Hello World"])
    }

    @Test("body :raw, :text, :content with decoding")
    func body() throws {
        let mime = """
            From: a@b.c
            To: bob@example.org
            Subject: m
            Content-Type: multipart/alternative; boundary=x

            --x
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe
            --x
            Content-Type: text/html

            <p>html <b>bold</b></p>
            --x--

            """.replacingOccurrences(of: "\n", with: "\r\n")
        let m = message(mime)
        #expect(try yes(#"body :contains "grüße""#, ["body"], m))
        #expect(try yes(#"body :text :contains "html bold""#, ["body"], m))
        #expect(try yes(#"body :raw :contains "Gr=FC""#, ["body"], m))
        #expect(try !yes(#"body :raw :contains "grüße""#, ["body"], m))
        #expect(try yes(#"body :content "text/html" :contains "<b>bold""#, ["body"], m))
        #expect(try !yes(#"body :content "image" :contains "bold""#, ["body"], m))
    }

    @Test("date and currentdate parts and zones")
    func date() throws {
        let req = ["date", "relational"]
        #expect(try yes(#"date :originalzone "date" "date" "2026-12-01""#, req))
        #expect(try yes(#"date :zone "+0000" "date" "hour" "09""#, req))
        #expect(try yes(#"date :originalzone "date" "zone" "+0100""#, req))
        #expect(try yes(#"date :zone "-0500" "date" "iso8601" "2026-12-01T04:00:00-05:00""#, req))
        #expect(try yes(#"date :zone "+0000" "date" "weekday" "2""#, req))
        #expect(try yes(#"date :zone "+0000" "date" "julian" "61375""#, req))
        #expect(try !yes(#"date "x-none" "year" "2026""#, req))
        let env = SieveEnvironment(now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try yes(#"currentdate :zone "+0000" "date" "2027-01-15""#, req, env: env))
        #expect(try yes(#"currentdate :value "ge" "year" "2027""#, req, env: env))
        #expect(try !yes(#"currentdate "yearly" "1""#, req, env: env))
    }

    @Test("mailboxexists asks the injected check")
    func mailboxExists() throws {
        let env = SieveEnvironment(mailboxExists: { $0 == "Work" })
        #expect(try yes(#"mailboxexists "Work""#, ["mailbox"], env: env))
        #expect(try !yes(#"mailboxexists ["Work", "Play"]"#, ["mailbox"], env: env))
    }
}
