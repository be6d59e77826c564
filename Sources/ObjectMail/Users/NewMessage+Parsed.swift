import Foundation
import MetaCache
import MIME

extension NewMessage {
    /// The index row of a message parsed once: its cached MIME fields and its sort keys, so that
    /// neither FETCH nor SORT has to read the object again. Used at delivery and when adopting
    /// objects found in the bucket.
    init(parsed: MIMEMessage, guid: String, objectKey: String, flags: MessageFlags = [], keywords: [String] = [],
         size: Int, internalDate: Int64, saveDate: Int64) {
        let cached = parsed.cachedFields()
        self.init(guid: guid, objectKey: objectKey, flags: flags, keywords: keywords, size: Int64(size),
                  virtualSize: Int64(parsed.virtualSize), internalDate: internalDate, saveDate: saveDate,
                  cachedFields: Data(cached.serialized()),
                  sortKeys: Data(SortKeys(cached: cached, internalDate: internalDate).serialized()))
    }
}
