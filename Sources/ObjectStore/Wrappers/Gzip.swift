import CZlib

/// gzip through zlib: windowBits 31 writes a gzip header; 47 reads zlib or gzip (auto-detected).
package enum Gzip {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    /// gzip's magic bytes, which is how reads tell compressed objects from plain ones.
    package static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    package static func compress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init(&stream, level, 31) == Z_OK else { throw Failure(description: "deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "deflate failed (\(status))") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// Decompresses one or more concatenated gzip members (what `cat a.gz b.gz` produces).
    package static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init(&stream, 47) == Z_OK else { throw Failure(description: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try input.withUnsafeBufferPointer { inputBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inputBuffer.baseAddress)
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, chunkBuffer.count - Int(stream.avail_out))
                }
                output += chunk[0..<produced]
                switch status {
                case Z_STREAM_END:
                    guard stream.avail_in > 0 else { return }
                    guard inflateReset(&stream) == Z_OK else { throw Failure(description: "inflateReset failed") }
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 { throw Failure(description: "truncated gzip stream") }
                case Z_BUF_ERROR:
                    throw Failure(description: "truncated gzip stream")
                default:
                    throw Failure(description: "bad gzip stream (zlib status \(status))")
                }
            }
        }
        return output
    }
}

extension Gzip {
    /// Streams the decompressed bytes of the gzip file behind `source` to `emit`, 64 KiB at a time,
    /// so that a large object is never held in memory. Handles concatenated members.
    package static func decompress(_ source: borrowing FileDescriptor, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        guard czlib_inflate_init(&stream, 47) == Z_OK else { throw Failure(description: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        let chunkSize = 64 * 1024
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { input.deallocate(); output.deallocate() }
        var offset: Int64 = 0
        var finished = false
        while true {
            if stream.avail_in == 0 {
                let got = try source.read(into: input, at: offset)
                offset += Int64(got)
                if got == 0 {
                    if finished { return }
                    throw Failure(description: "truncated gzip stream")
                }
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(got)
                if finished {
                    // More data after a complete member: the next member starts here.
                    guard inflateReset(&stream) == Z_OK else { throw Failure(description: "inflateReset failed") }
                    finished = false
                }
            }
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(chunkSize)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            switch status {
            case Z_STREAM_END:
                finished = true
                if stream.avail_in > 0 {
                    guard inflateReset(&stream) == Z_OK else { throw Failure(description: "inflateReset failed") }
                    finished = false
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                continue   // needs more input: read on

            default:
                throw Failure(description: "bad gzip stream (zlib status \(status))")
            }
        }
    }
}
