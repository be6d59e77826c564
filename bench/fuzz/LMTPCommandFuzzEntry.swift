// libFuzzer entry for the LMTP command-line parser (LMTPCommand, XClient) and the DATA reader (DataReader: dot
// unstuffing, bare LF, the size limit). Built only by bench/fuzz/run-fuzz.sh lmtp. Each input line is parsed as a
// command; the whole input is also fed to a DataReader in two pieces, whose message must respect its limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let command = LMTPCommand.parse(line.hasSuffix("\r") ? line.dropLast() : line)
        if case .bdat(let size, _) = command { precondition(size >= 0, "a negative BDAT size") }
    }
    let limit = 1 + Int(bytes.first ?? 0) * 16
    var reader = DataReader(limit: limit)
    let cut = size / 2
    var first = ByteBuffer(bytes: bytes[..<cut])
    var finished = reader.read(&first)
    if !finished {
        var second = ByteBuffer(bytes: bytes[cut...])
        finished = reader.read(&second)
    }
    precondition(reader.message.count <= limit, "DataReader kept more than its limit")
    precondition(!reader.tooBig || reader.message.isEmpty, "an oversized message kept its bytes")
    return 0
}
