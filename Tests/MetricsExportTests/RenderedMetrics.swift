import Testing

/// The Prometheus text split by family, checking the format's rules on the way: every sample belongs to the family
/// whose `# TYPE` line came last (a histogram's `_bucket`, `_sum`, `_count` too), and a HELP line comes before it.
struct RenderedMetrics {
    struct Family {
        var help: String?
        var type: String
        var samples: [String] = []
    }

    var families: [String: Family] = [:]

    init(_ text: String) {
        var pendingHelp: (name: String, text: String)?
        var current: String?
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                pendingHelp = (parts[0], parts.count > 1 ? parts[1] : "")
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ").map(String.init)
                #expect(families[parts[0]] == nil, "\(parts[0]) appears twice")
                #expect(pendingHelp == nil || pendingHelp?.name == parts[0], "HELP of \(pendingHelp?.name ?? "") before TYPE of \(parts[0])")
                families[parts[0]] = Family(help: pendingHelp?.text, type: parts[1])
                current = parts[0]
                pendingHelp = nil
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let belongs = current.map { family in
                    name == family || (families[family]?.type == "histogram" && ["_bucket", "_sum", "_count"].contains { name == family + $0 })
                }
                #expect(belongs == true, "\(line) outside its family")
                if let current { families[current]?.samples.append(line) }
            }
        }
    }

    /// The value of the sample line that starts with `series` (a name and its labels), nil when there is none.
    func value(_ series: String) -> Double? {
        for family in families.values {
            for sample in family.samples where sample.hasPrefix(series + " ") {
                return Double(sample.dropFirst(series.count + 1))
            }
        }
        return nil
    }
}
