import IMAPProtocol
import NIOCore

/// COMPRESS DEFLATE (RFC 4978).
extension IMAPSession {
    func compress(tag: String, mechanism: String) async {
        guard mechanism.uppercased() == "DEFLATE" else { return tagged(tag, .bad, "Unsupported compression mechanism.") }
        let channel = self.channel
        let active = try? await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: DeflateHandler.self)) != nil
        }.get()
        if active != false {
            return tagged(tag, .no, code: .compressionActive, "Compression already active.")
        }
        tagged(tag, .ok, "Begin compression.")
        let answer = output
        output = channel.allocator.buffer(capacity: 1024)
        do {
            // One event-loop task: the OK leaves uncompressed and no read can slip in before the handler is in place.
            try await channel.eventLoop.submit {
                channel.writeAndFlush(answer, promise: nil)
                let framer = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<IMAPCommandFramer>.self)
                try channel.pipeline.syncOperations.addHandler(try DeflateHandler(), position: .before(framer))
            }.get()
        } catch {
            logger.error("starting compression failed: \(error)")
            end(nil)
        }
    }
}
