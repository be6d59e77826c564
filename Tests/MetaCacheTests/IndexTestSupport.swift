import Foundation
import MailModel

@testable import MetaCache

/// A fresh index in its own temporary directory.
func makeIndex(user: String = "user@example.com") throws -> (UserIndex, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
    return (try UserIndex(user: user, directory: directory), directory)
}

func newMessage(_ n: Int, mailboxGUID: String = "mbox", flags: MessageFlags = [], keywords: [String] = []) -> NewMessage {
    NewMessage(
        guid: String(format: "%032x", n), objectKey: "mailboxes/\(mailboxGUID)/\(String(format: "%032x", n))",
        flags: flags, keywords: keywords, size: Int64(100 + n), virtualSize: Int64(104 + n),
        internalDate: 1_700_000_000 + Int64(n), saveDate: 1_700_000_100, cachedFields: Data([UInt8(n & 0xff)]))
}
