import CSystemIO

/// glibc malloc settings that let the server give memory back after a peak.
///
/// glibc serves allocations of 128 KiB and more with mmap and returns them on free, but after such a block is
/// freed it raises its mmap threshold to that block's size (up to 32 MiB): from then on, buffers of a few MiB
/// (socket reads, response buffers, message copies) come from the heap arenas, where they fragment and are not
/// returned. RSS stayed at ~169 MB after four parallel 20 MB APPENDs even after `malloc_trim`. Fixing both
/// thresholds turns the dynamic adjustment off, so large buffers always go back to the system.
enum MallocTuning {
    /// Blocks from 256 KiB up are mapped on their own and unmapped on free.
    static let mmapThreshold: Int32 = 256 * 1024
    /// Free memory above 1 MiB at the top of a heap is given back.
    static let trimThreshold: Int32 = 1024 * 1024

    static func apply() {
        _ = csystemio_set_malloc_thresholds(mmapThreshold, trimThreshold)
    }
}
