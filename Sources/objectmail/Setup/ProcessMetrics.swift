import FSCache
import Metrics
import MetricsExport

/// The process's one metrics backend: swift-metrics bootstrapped with a `PrometheusExporter`, which the `stats`
/// listener renders. Modules record through `MetricsSystem.factory`; the figures a module keeps itself (the fscache's)
/// are read when `/metrics` is rendered.
enum ProcessMetrics {
    /// Once per process, before any store, session or listener makes a handle (a handle made earlier would record
    /// into swift-metrics' no-op factory for good).
    static func bootstrap() -> PrometheusExporter {
        let exporter = PrometheusExporter()
        exporter.register(FSCacheMetrics.samples)
        MetricsSystem.bootstrap(exporter)
        return exporter
    }
}
