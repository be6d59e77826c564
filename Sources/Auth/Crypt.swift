import CCrypt

/// libxcrypt's reentrant `crypt_rn`: `$1$` MD5-crypt, `$5$`/`$6$` SHA-crypt, `$2a$/$2b$/$2y$` bcrypt, `$y$` yescrypt.
/// Each call costs milliseconds: callers run it on `BlockingPool`, never on an event loop.
enum Crypt {
    /// The hash of `password` with the salt and parameters taken from `setting`, or nil when libcrypt rejects it.
    static func hash(_ password: String, setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        // struct crypt_data is ~32 KiB: on the heap, not on a (small) thread stack.
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
        }
        guard let output = crypt_rn(password, setting, data, Int32(size)) else { return nil }
        let result = String(cString: output)
        // Failure tokens start with '*' in libxcrypt.
        return result.hasPrefix("*") ? nil : result
    }

    static func verify(_ password: String, stored: String) -> Bool {
        guard let computed = hash(password, setting: stored) else { return false }
        return ConstantTime.equals(computed, stored)
    }

    /// A fresh setting string (`$6$salt`) with random salt from the OS; `count` 0 means the method's default cost.
    static func generateSetting(prefix: String, count: UInt) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let result = buffer.withUnsafeMutableBufferPointer { pointer in
            crypt_gensalt_rn(prefix, count, nil, 0, pointer.baseAddress, Int32(pointer.count))
        }
        guard result != nil else { return nil }
        let setting = String(nulTerminated: buffer)
        return setting.hasPrefix("*") ? nil : setting
    }
}
