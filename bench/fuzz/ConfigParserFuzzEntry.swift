// libFuzzer entry for the configuration parser (Sources/Config ConfigParser: sections, quoting, continuations,
// comments, $references, !include and <file values). Built only by bench/fuzz/run-fuzz.sh config. Slashes are
// replaced first, so !include and <file resolve under a folder that does not exist: the parser is fuzzed, not the
// machine's files (an include of /dev/zero would only measure the disk).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let text = raw.replacingOccurrences(of: "/", with: "_")
    let parser = ConfigParser(
        defaultValue: { name in name == "mail_plugins" ? "quota" : nil },
        knownNames: { ["mail_plugins", "protocols"] })
    _ = try? parser.parse(text: text, file: "/nonexistent-objectmail-fuzz/objectmail.conf")
    return 0
}
