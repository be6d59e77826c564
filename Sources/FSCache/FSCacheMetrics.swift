import MetricsExport
import Synchronization

/// The statistics of every cache the pipelines built, summed into `GET /metrics` when it is rendered (the executable
/// registers `samples` with the process's `PrometheusExporter`): hits stay a relaxed atomic add, with no metrics
/// update on the read path. No per-directory label: a `%u` cache directory would make one series per user.
public enum FSCacheMetrics {
    private struct Tracked: Sendable {
        weak var index: FSCacheIndex?
    }

    /// nil until a pipeline builds its first cache: a process without one exports no fscache family.
    private static let tracked = Mutex<[Tracked]?>(nil)

    static func track(_ index: FSCacheIndex) {
        tracked.withLock { list in
            list = (list ?? []).filter { $0.index != nil } + [Tracked(index: index)]
        }
    }

    static let hits = MetricFamily("objectmail_fscache_hits_total", .counter, help: "Gets, downloads and stats served from the fscache")
    static let misses = MetricFamily("objectmail_fscache_misses_total", .counter, help: "Gets and downloads the fscache sent to its parent")
    static let parentBytes = MetricFamily(
        "objectmail_fscache_parent_bytes_total", .counter,
        help: "Bytes the fscache fetched from its parent to fill entries")
    static let evictions = MetricFamily("objectmail_fscache_evictions_total", .counter, help: "Entries evicted to stay under the size")
    static let size = MetricFamily("objectmail_fscache_size_bytes", .gauge, help: "Bytes of cache files now")
    static let entries = MetricFamily("objectmail_fscache_entries", .gauge, help: "Cache entries now")

    /// The figures of the caches alive now, summed; a `PrometheusExporter.Collector`.
    public static func samples() -> [MetricSample] {
        guard let live = tracked.withLock({ list in list?.compactMap(\.index) }) else { return [] }
        var total = FSCacheStatistics()
        for figures in live.map(\.statistics) {
            total.hits += figures.hits
            total.misses += figures.misses
            total.bytesFromParent += figures.bytesFromParent
            total.evictions += figures.evictions
            total.currentSize += figures.currentSize
            total.entries += figures.entries
        }
        return [
            MetricSample(hits, Double(total.hits)), MetricSample(misses, Double(total.misses)),
            MetricSample(parentBytes, Double(total.bytesFromParent)), MetricSample(evictions, Double(total.evictions)),
            MetricSample(size, Double(total.currentSize)), MetricSample(entries, Double(total.entries))
        ]
    }
}
