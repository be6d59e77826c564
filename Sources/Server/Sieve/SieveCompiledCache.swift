import Crypto
import Foundation
import Primitives
import Sieve
import Synchronization

/// Compiled scripts keyed by their text's SHA-256 and the extensions they were compiled with: a script shared by
/// every delivery (a global one, a user's active one) is compiled once, and a changed script is a new key. Compile
/// errors are kept too, so a broken script is not parsed again for every message.
final class SieveCompiledCache: Sendable {
    typealias Compiled = Result<SieveScript, SieveCompileError>

    /// Entries kept at most; the cache is emptied when it is full (scripts change rarely, and recompiling is cheap
    /// next to a delivery).
    let capacity: Int
    private let entries = Mutex<[String: Compiled]>([:])

    init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    func compiled(_ text: String, name: String, extensions: Set<String>, limits: SieveLimits) -> Compiled {
        let digest = Hex.encode(Array(SHA256.hash(data: Array(text.utf8))))
        let key = "\(digest) \(extensions.sorted().joined(separator: ",")) \(limits.maxScriptSize)"
        if let found = entries.withLock({ $0[key] }) { return rename(found, name) }
        let result = Result { () throws(SieveCompileError) -> SieveScript in
            try SieveCompiler.compile(text, name: name, limits: limits, extensions: extensions)
        }
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = result
        }
        return result
    }

    /// The same text under another name (two users' scripts, two global paths) is the same compiled script.
    private func rename(_ compiled: Compiled, _ name: String) -> Compiled {
        compiled.map { script in
            var script = script
            script.name = name
            return script
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
