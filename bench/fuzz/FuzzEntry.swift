// libFuzzer entry for the MIME module. Built only by bench/fuzz/run-mime-fuzz.sh, never by `swift build`.
// Every public entry point runs on the input; libFuzzer + ASan report crashes, leaks of control (timeouts)
// and memory errors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    MIMEFuzzTarget.exercise(bytes)
    return 0
}
