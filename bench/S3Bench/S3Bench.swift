import Foundation
import Logging
import S3Client

/// PUT, GET, HEAD and DELETE throughput of S3Client against one endpoint.
/// Usage: s3-bench URL [SIZE:COUNT[:INFLIGHT] ...] — prints `RESULT objectmail OP SIZE INFLIGHT COUNT SECONDS`
/// lines (without INFLIGHT: for 1, 8 and 32 in flight, with a quarter of COUNT at 1);
/// bench/s3-bench.sh turns them into a table next to boto3's.
@main
struct S3Bench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: s3-bench URL [SIZE:COUNT ...]\n".utf8))
            exit(2)
        }
        var logger = Logger(label: "objectmail.s3-bench")
        logger.logLevel = .error
        let client = try S3Client(url: arguments[1], logger: logger)
        var workloads = arguments.dropFirst(2).compactMap { spec -> (Int, Int, [Int])? in
            let parts = spec.split(separator: ":").compactMap { Int($0) }
            guard parts.count >= 2 else { return nil }
            return (parts[0], parts[1], parts.count > 2 ? [parts[2]] : [1, 8, 32])
        }
        if workloads.isEmpty { workloads = [(4096, 3000, [1, 8, 32]), (1 << 20, 300, [1, 8, 32])] }
        let run = UUID().uuidString.prefix(8)
        for (size, count, inFlights) in workloads {
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            for inFlight in inFlights {
                let operations = inFlight == 1 ? max(count / 4, 20) : count
                let keys = (0..<operations).map { "bench/objectmail-\(run)/\(size)/\(inFlight)/\($0)" }
                try await phase("PUT", size, inFlight, keys) { try await client.putObject($0, body: .bytes(body)) }
                try await phase("GET", size, inFlight, keys) { key in
                    let object = try await client.getObject(key)
                    precondition(object.body.count == size, "short GET")
                }
                try await phase("HEAD", size, inFlight, keys) { _ = try await client.headObject($0) }
                try await phase("DELETE", size, inFlight, keys) { try await client.deleteObject($0) }
            }
        }
        client.shutdown()
    }

    /// Runs `operation` once per key with `inFlight` at a time and prints the elapsed time.
    static func phase(
        _ name: String, _ size: Int, _ inFlight: Int, _ keys: [String],
        _ operation: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(inFlight, keys.count) {
                let key = keys[next]
                group.addTask { try await operation(key) }
                next += 1
            }
            while try await group.next() != nil, next < keys.count {
                let key = keys[next]
                group.addTask { try await operation(key) }
                next += 1
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("RESULT objectmail \(name) \(size) \(inFlight) \(keys.count) \(seconds)")
        fflush(nil) // every stream: the shell script reads results as they come
    }
}
