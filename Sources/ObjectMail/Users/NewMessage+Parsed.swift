import Foundation
import MIME
import MailModel
import MetaCache

extension NewMessage {
    /// The index row of a message parsed once: its cached MIME fields and its sort keys, so that
    /// neither FETCH nor SORT has to read the object again. Used at delivery and when adopting
    /// objects found in the bucket.
    init(
        parsed: MIMEMessage, guid: String, objectKey: String, flags: MessageFlags = [], keywords: [String] = [],
        size: Int, internalDate: Int64, saveDate: Int64
    ) {
        self.init(
            cached: parsed.cachedFields(), guid: guid, objectKey: objectKey, flags: flags, keywords: keywords,
            size: size, internalDate: internalDate, saveDate: saveDate)
    }

    /// The same from fields parsed without a `MIMEMessage` (a spooled mail, mapped from its file).
    init(
        cached: CachedMessageFields, guid: String, objectKey: String, flags: MessageFlags = [], keywords: [String] = [],
        size: Int, internalDate: Int64, saveDate: Int64
    ) {
        self.init(
            guid: guid, objectKey: objectKey, flags: flags, keywords: keywords, size: Int64(size),
            virtualSize: Int64(cached.virtualSize), internalDate: internalDate, saveDate: saveDate,
            cachedFields: Data(cached.serialized()),
            sortKeys: Data(SortKeys(cached: cached, internalDate: internalDate).serialized()))
    }
}
