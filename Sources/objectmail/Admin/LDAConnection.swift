import Foundation
import Logging
import NIOCore
import ObjectMail
import Server

/// One `objectmail lda` delivery on the admin socket (the exchange is described at `LDARequest`): the request is
/// checked as LMTP's RCPT would be, `+` asks for the message, the message is received (in memory up to the spool
/// threshold, in a spool file in mail_temp_dir beyond, as LMTP receives a DATA), and the result is the answer.
enum LDAConnection {
    /// `line` is the request line without `lda\t`.
    static func serve(
        line: String, input: inout AdminInput, output: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        delivery: StorageDelivery, logger: Logger
    ) async throws {
        guard let request = try? JSONDecoder().decode(LDARequest.self, from: Data(line.utf8)), request.size >= 0 else {
            return try await answer(output, LDAResult(.temporaryFailure, "invalid lda request (objectmail lda of another version?)"))
        }
        let recipient: LMTPRecipient
        switch await delivery.accept(request) {
        case .refused(let result):
            return try await answer(output, result)
        case .proceed(let accepted):
            recipient = accepted
        }
        try await output.write(ByteBuffer(string: "+\n"))
        let body: (bytes: [UInt8], spool: SpoolFile?)
        do {
            guard let received = try await receive(request.size, from: &input, spooling: delivery.spoolConfiguration) else {
                // The command went away (killed by its MTA, say) before the whole message came: deliver nothing.
                logger.warning("lda(\(request.user)): the message ended before its \(request.size) bytes; nothing delivered")
                return
            }
            body = received
        } catch let error as SpoolFailure {
            logger.error("lda(\(request.user)): cannot spool the message: \(error.underlying)")
            return try await answer(output, LDAResult(.temporaryFailure, "cannot spool the message: \(error.underlying)"))
        }
        try await answer(output, await delivery.deliverLocally(request, to: recipient, bytes: body.bytes, spool: body.spool))
    }

    private struct SpoolFailure: Error {
        let underlying: any Error
    }

    /// Exactly `size` bytes, or nil when the stream ends first.
    private static func receive(_ size: Int, from input: inout AdminInput, spooling configuration: SpoolConfiguration) async throws
        -> (bytes: [UInt8], spool: SpoolFile?)?
    {
        if size <= configuration.threshold {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            let complete = try await input.read(size) { piece in bytes.append(contentsOf: piece.readableBytesView) }
            return complete ? (bytes, nil) : nil
        }
        let spool: SpoolFile
        do { spool = try await SpoolFile.create(in: configuration.directory) } catch { throw SpoolFailure(underlying: error) }
        let complete = try await input.read(size) { piece in
            do { try await spool.appendAsync(Array(piece.readableBytesView)) } catch { throw SpoolFailure(underlying: error) }
        }
        return complete ? ([], spool) : nil
    }

    private static func answer(_ output: NIOAsyncChannelOutboundWriter<ByteBuffer>, _ result: LDAResult) async throws {
        let json = (try? JSONEncoder().encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try await output.write(ByteBuffer(string: json + "\n"))
    }
}
