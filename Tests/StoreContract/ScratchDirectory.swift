import Foundation

/// A fresh directory under the system temporary directory, removed when the test (or benchmark) is done.
public final class ScratchDirectory: Sendable {
    public let path: String

    public init(_ name: String = "objectstore") {
        path = NSTemporaryDirectory() + "/\(name)-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
