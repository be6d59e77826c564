import ObjectStore

/// A store broke the `ObjectStore` contract: which check, and what it saw.
public struct ContractViolation: Error, Sendable, CustomStringConvertible {
    public var check: String
    public var detail: String

    public init(check: String, detail: String) {
        self.check = check
        self.detail = detail
    }

    public var description: String { "contract check \"\(check)\" failed: \(detail)" }
}

/// Small assertion helpers that throw `ContractViolation` (this target must not import Testing).
struct Check {
    let name: String

    func expect(_ condition: Bool, _ detail: @autoclosure () -> String) throws {
        if !condition { throw ContractViolation(check: name, detail: detail()) }
    }

    func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
        if actual != expected {
            throw ContractViolation(check: name, detail: "\(what): expected \(expected), got \(actual)")
        }
    }

    /// Runs `body` and requires it to fail with `expected`.
    func expectError<T>(_ expected: ObjectStoreErrorKind, _ what: String, _ body: () async throws -> T) async throws {
        do {
            _ = try await body()
        } catch let error as ObjectStoreError {
            if expected.matches(error) { return }
            throw ContractViolation(check: name, detail: "\(what): expected \(expected), got \(error)")
        } catch {
            throw ContractViolation(check: name, detail: "\(what): expected \(expected), got a non-ObjectStoreError \(error)")
        }
        throw ContractViolation(check: name, detail: "\(what): expected \(expected), but it succeeded")
    }
}

enum ObjectStoreErrorKind: CustomStringConvertible {
    case notFound, alreadyExists

    func matches(_ error: ObjectStoreError) -> Bool {
        switch (self, error) {
        case (.notFound, .notFound), (.alreadyExists, .alreadyExists): return true
        default: return false
        }
    }

    var description: String {
        switch self {
        case .notFound: return "notFound"
        case .alreadyExists: return "alreadyExists"
        }
    }
}

/// Deterministic pseudo-random bytes, so a failure is reproducible.
func patternBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}
