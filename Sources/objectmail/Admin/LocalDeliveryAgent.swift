import Server
import Synchronization

/// The server's delivery for `objectmail lda` (a `StorageDelivery` built from `protocol lda { }`'s settings): set at
/// start and replaced by every reload, as the LMTP service's is, so a delivery uses the configuration in force.
final class LocalDeliveryAgent: Sendable {
    private let current: Mutex<StorageDelivery>

    init(_ delivery: StorageDelivery) {
        current = Mutex(delivery)
    }

    var delivery: StorageDelivery { current.withLock { $0 } }

    func replace(with delivery: StorageDelivery) {
        current.withLock { $0 = delivery }
    }
}
