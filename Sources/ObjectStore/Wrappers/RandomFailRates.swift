/// The failure percentages of `randomfail:all=10,read=30,…:` (Dovecot's operation names).
public struct RandomFailRates: Sendable, Equatable {
    /// The operations of this pipeline, named as Dovecot names them.
    public enum Operation: String, Sendable, CaseIterable {
        case read, write, delete, stat, iter, copy
    }

    /// Dovecot names that have no operation here (locks, prefetch …): accepted, so that a
    /// configuration copied from Dovecot works, and ignored. `metadata` and `exists` are stat.
    static let ignoredNames: Set<String> = ["wait", "prefetch", "lock", "rename"]

    public var percent: [Operation: Int]

    public init(percent: [Operation: Int] = [:]) {
        self.percent = percent
    }

    /// Parses `all=10,read=30`. `all` applies first whatever its place, so specific names override it.
    public init(parsing text: String) throws(PipelineArgumentError) {
        var all: Int?
        var specific: [Operation: Int] = [:]
        let expected =
            "name=PERCENT pairs separated by commas, names among all, "
            + Operation.allCases.map(\.rawValue).joined(separator: ", ") + ", metadata, exists; percent 0-100"
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let value = Int(parts[1]), (0...100).contains(value) else {
                throw PipelineArgumentError(index: 0, expected: expected)
            }
            let name = String(parts[0])
            switch name {
            case "all": all = value
            case "metadata", "exists": specific[.stat] = value
            default:
                if let operation = Operation(rawValue: name) {
                    specific[operation] = value
                } else if !Self.ignoredNames.contains(name) {
                    throw PipelineArgumentError(index: 0, expected: expected)
                }
            }
        }
        var percent: [Operation: Int] = [:]
        if let all { for operation in Operation.allCases { percent[operation] = all } }
        percent.merge(specific) { _, new in new }
        self.init(percent: percent)
    }
}

/// SplitMix64: small, fast, and reproducible from a seed, so tests can count exact failures.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
