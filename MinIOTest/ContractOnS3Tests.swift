import Foundation
import Logging
import ObjectStore
import StoreContract
import Testing

/// The same store contract posix passes, against a real S3 server, through the pipeline string an
/// operator writes (and once through compress, as obox_index_fs is configured).
@Suite(.serialized) struct ContractOnS3Tests {
    @Test func s3PassesTheStoreContract() async throws {
        let url = try await SeaweedFS.shared.value
        let store = try PipelineRegistry.builtIn.makeStore("s3:\(url)")
        let scratch = NSTemporaryDirectory() + "contract-s3-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        try await runObjectStoreContract(store, prefix: "contract-\(UUID().uuidString.prefix(8))", scratchDirectory: scratch)
    }

    @Test func compressedRoundTripThroughThePipeline() async throws {
        let url = try await SeaweedFS.shared.value
        let store = try PipelineRegistry.builtIn.makeStore("compress:gz:6:s3:\(url)")
        let key = "gz-\(UUID().uuidString)/bundle"
        let bytes = Array(String(repeating: "index bundle bytes ", count: 2000).utf8)
        try await store.put(key, bytes: bytes)
        #expect(try await store.get(key).body == bytes)
        let raw = try await PipelineRegistry.builtIn.makeStore("s3:\(url)").get(key).body
        #expect(raw.count < bytes.count / 10 && raw.prefix(2) == [0x1f, 0x8b])
    }
}
