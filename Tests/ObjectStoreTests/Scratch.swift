import Foundation

/// A fresh directory under the system temporary directory, removed when the test is done.
final class ScratchDirectory: Sendable {
    let path: String

    init(_ name: String = "objectstore") {
        path = NSTemporaryDirectory() + "/\(name)-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
