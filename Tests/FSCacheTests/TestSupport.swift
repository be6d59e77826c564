import Foundation
import StoreContract

@testable import FSCache

func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

/// Sizes of the entry files under a cache directory (what the disk really holds), temp files excluded.
func entryFileBytes(_ directory: String) -> Int64 {
    var total: Int64 = 0
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let relative = enumerator?.nextObject() as? String {
        // Temporary files and the sync marker are not entries.
        if relative.hasPrefix("tmp") || relative == FSCacheSyncMarker.fileName { continue }
        let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + relative)
        if attributes?[.type] as? FileAttributeType == .typeRegular {
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}
