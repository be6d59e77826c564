import Foundation
import StoreContract
import Testing

/// `objectmail fs …` and `objectmail fscache rescan` run as a real process, like an operator would.
@Suite struct CommandLineTests {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var error: String
        var text: String { String(decoding: output, as: UTF8.self) }
    }

    func objectmail(_ arguments: String...) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FSCacheCrashTests.objectmailBinary)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: [UInt8](outputData), error: String(decoding: errorData, as: UTF8.self))
    }

    @Test func roundTripThroughCompressAndCache() throws {
        try #require(FileManager.default.isExecutableFile(atPath: FSCacheCrashTests.objectmailBinary), "build objectmail first")
        let scratch = ScratchDirectory("fs-cli")
        let pipeline = "fscache:10M:\(scratch.path)/cache:compress:gz:6:posix:\(scratch.path)/objects"
        let body = Array(String(repeating: "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n", count: 300).utf8)
        let input = scratch.path + "/mail.eml"
        try Data(body).write(to: URL(fileURLWithPath: input))

        #expect(try objectmail("fs", "put", "--metadata", "guid=abc", "--create-only", pipeline, input, "u/mailboxes/1/m1").status == 0)
        #expect(try objectmail("fs", "put", "--create-only", pipeline, input, "u/mailboxes/1/m1").status == 1)
        let got = try objectmail("fs", "get", pipeline, "u/mailboxes/1/m1")
        #expect(got.status == 0 && got.output == body)
        #expect(try objectmail("fs", "get", "--offset", "6", "--length", "13", pipeline, "u/mailboxes/1/m1").output == Array(body[6..<19]))
        let stat = try objectmail("fs", "stat", pipeline, "u/mailboxes/1/m1")
        #expect(stat.text.hasPrefix("u/mailboxes/1/m1 size=\(body.count) "))
        #expect(stat.text.contains("guid=abc"))
        #expect(try objectmail("fs", "copy", pipeline, "u/mailboxes/1/m1", "u/mailboxes/2/m1").status == 0)
        #expect(try objectmail("fs", "iter", pipeline, "u/").text == "u/mailboxes/1/m1\nu/mailboxes/2/m1\n")
        #expect(try objectmail("fs", "iter", "--delimiter", "/", pipeline, "u/mailboxes/").text == "u/mailboxes/1/\nu/mailboxes/2/\n")
        #expect(try objectmail("fs", "delete", pipeline, "u/mailboxes/1/m1").status == 0)
        #expect(try objectmail("fs", "delete", "-R", pipeline, "u/mailboxes/").status == 0)
        #expect(try objectmail("fs", "iter", pipeline, "u/").text == "")
        let missing = try objectmail("fs", "get", pipeline, "u/mailboxes/1/m1")
        #expect(missing.status == 68)
        #expect(missing.error.contains("not found"))
        let rescan = try objectmail("fscache", "rescan", scratch.path + "/cache", "7d")
        #expect(rescan.status == 0 && rescan.text.hasPrefix("entries=0 bytes=0"))
    }

    @Test func badPipelinesAreUsageErrorsWithoutSecrets() throws {
        try #require(FileManager.default.isExecutableFile(atPath: FSCacheCrashTests.objectmailBinary), "build objectmail first")
        let result = try objectmail("fs", "stat", "compress:gz:6:s4:https://AKIDEXAMPLE:wJalrXUtnFEMI@host/bucket/", "k")
        #expect(result.status == 64)
        #expect(result.error.contains("position 15"))
        #expect(!result.error.contains("wJalrXUtnFEMI") && !result.error.contains("AKIDEXAMPLE"))
        // A store that cannot be reached is a temporary failure (EX_TEMPFAIL), and says so without the secret.
        let unreachable = try objectmail("fs", "stat", "s3:https://AKIDEXAMPLE:wJalrXUtnFEMI@nonexistent.invalid/bucket/?max_retries=0", "k")
        #expect(unreachable.status == 75)
        #expect(!unreachable.error.contains("wJalrXUtnFEMI"))
    }
}
