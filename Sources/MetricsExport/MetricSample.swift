/// One value a collector reports when `/metrics` is rendered, for a module that already keeps its own figures (the
/// fscache's statistics) and should not pay a metrics update on its hot path. Counters and gauges only; several
/// samples of one series add up.
public struct MetricSample: Sendable {
    public var family: MetricFamily
    public var labels: [(String, String)]
    public var value: Double

    public init(_ family: MetricFamily, _ value: Double, labels: [(String, String)] = []) {
        self.family = family
        self.labels = labels
        self.value = value
    }
}
