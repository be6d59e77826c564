import CCurl
import Foundation

/// The state of one running transfer, reached from libcurl's C callbacks through an unretained pointer
/// (`CURLOPT_PRIVATE`, `*DATA`); the worker's `active` table keeps it alive. Engine thread only.
final class CurlTransfer {
    let job: CurlJob
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 256)

    // Request body: in memory (handed to libcurl as POSTFIELDS, so headers and a small body leave in
    // one write) or a file streamed through the read callback.
    private var bodyBuffer: UnsafeMutableRawBufferPointer?
    private var bodyFile: Int32 = -1

    // Response.
    fileprivate var status = 0
    fileprivate var headers: [String: String] = [:]
    fileprivate var memoryBody: [UInt8] = []
    fileprivate var downloadFile: Int32 = -1
    fileprivate var localError: String?

    init(job: CurlJob, easy: UnsafeMutableRawPointer) {
        self.job = job
        self.easy = easy
        errorBuffer.initialize(to: 0)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    private var request: HTTPRequest { job.request }

    /// Sets every option for this request on the (fresh or reset) easy handle.
    func configure() throws(HTTPTransportFailure) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        setLong(CURLOPT_NOSIGNAL, 1)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_PRIVATE, me)
        _ = objectmail_easy_setopt_string(easy, CURLOPT_URL, request.url)
        setLong(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        setLong(CURLOPT_TCP_KEEPALIVE, 1)
        setLong(CURLOPT_TCP_NODELAY, 1)
        // Larger than the 16 KiB default: a 1 MB body needs 4 callbacks and reads, not 64.
        setLong(CURLOPT_BUFFERSIZE, 256 << 10)
        setLong(CURLOPT_UPLOAD_BUFFERSIZE, 256 << 10)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMs)
        // Inactivity timeout: fewer than 1 byte/s for the whole period aborts the transfer.
        setLong(CURLOPT_LOW_SPEED_LIMIT, 1)
        setLong(CURLOPT_LOW_SPEED_TIME, max(1, (request.idleTimeoutMs + 999) / 1000))
        if let deadline = request.deadline {
            // Time spent waiting for a transfer slot counts: the limit is when the caller must have an answer.
            let remainingMs = Int((deadline - .now) / .milliseconds(1))
            guard remainingMs > 0 else {
                throw HTTPTransportFailure(reason: .timeout(connecting: true), message: "deadline passed before the request started")
            }
            setLong(CURLOPT_TIMEOUT_MS, remainingMs)
        }
        if !request.verifyTLS {
            setLong(CURLOPT_SSL_VERIFYPEER, 0)
            setLong(CURLOPT_SSL_VERIFYHOST, 0)
        }
        for line in request.headers { headerList = curl_slist_append(headerList, line) }
        _ = objectmail_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        _ = objectmail_easy_setopt_data_cb(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        _ = objectmail_easy_setopt_data_cb(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)

        switch request.method {
        case "GET": setLong(CURLOPT_HTTPGET, 1)
        case "HEAD": setLong(CURLOPT_NOBODY, 1)
        default: _ = objectmail_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        switch request.body {
        case .none:
            if request.method == "PUT" || request.method == "POST" { configureMemoryBody([]) }
        case .bytes(let bytes):
            configureMemoryBody(bytes)
        case .file(let path, let size):
            bodyFile = open(path, O_RDONLY | O_CLOEXEC)
            guard bodyFile >= 0 else {
                throw HTTPTransportFailure(reason: .localFile, message: "cannot open body file: \(String(cString: strerror(errno)))")
            }
            try configureUpload(size: size)
        }
    }

    /// libcurl sends POSTFIELDS with the method from CURLOPT_CUSTOMREQUEST (PUT or POST) and rewinds it itself.
    private func configureMemoryBody(_ bytes: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        bodyBuffer = buffer
        _ = objectmail_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress)
    }

    private func configureUpload(size: Int64) throws(HTTPTransportFailure) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        setLong(CURLOPT_UPLOAD, 1)
        _ = objectmail_easy_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(size))
        _ = objectmail_easy_setopt_data_cb(easy, CURLOPT_READFUNCTION, curlReadCallback)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_READDATA, me)
        // libcurl rewinds the body when a reused connection turned out dead and it resends.
        _ = objectmail_easy_setopt_seek_cb(easy, CURLOPT_SEEKFUNCTION, curlSeekCallback)
        _ = objectmail_easy_setopt_pointer(easy, CURLOPT_SEEKDATA, me)
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = objectmail_easy_setopt_long(easy, option, value)
    }

    /// The outcome once libcurl reports the transfer done.
    func finish(code: CURLcode) -> Result<HTTPResponse, any Error> {
        defer { close() }
        if let localError {
            discardDownload()
            return .failure(HTTPTransportFailure(reason: .localFile, message: localError))
        }
        guard code == CURLE_OK else {
            discardDownload()
            var connectTime: curl_off_t = 0
            _ = objectmail_easy_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connectTime)
            let connecting = connectTime == 0
            let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            if code == CURLE_OPERATION_TIMEDOUT {
                return .failure(HTTPTransportFailure(reason: .timeout(connecting: connecting), message: detail))
            }
            return .failure(HTTPTransportFailure(reason: .curl(code: Int(code.rawValue), connecting: connecting), message: detail))
        }
        var responseCode = 0
        _ = objectmail_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        if case .file(let path) = request.sink, (200..<300).contains(responseCode), downloadFile < 0 {
            // An empty object: the file must still exist.
            guard openDownload(path) else {
                return .failure(HTTPTransportFailure(reason: .localFile, message: localError ?? "cannot create file"))
            }
        }
        if downloadFile >= 0, fsync(downloadFile) != 0 {
            discardDownload()
            return .failure(HTTPTransportFailure(reason: .localFile, message: "cannot write download file: \(String(cString: strerror(errno)))"))
        }
        return .success(HTTPResponse(status: responseCode, headers: headers, body: memoryBody))
    }

    /// Removes a partly written download so that a failed GET leaves no file behind.
    func discardDownload() {
        guard downloadFile >= 0, case .file(let path) = request.sink else { return }
        Foundation.close(downloadFile)
        downloadFile = -1
        unlink(path)
    }

    func close() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        if bodyFile >= 0 { Foundation.close(bodyFile) }
        bodyFile = -1
        bodyBuffer?.deallocate()
        bodyBuffer = nil
        if downloadFile >= 0 { Foundation.close(downloadFile) }
        downloadFile = -1
    }

    fileprivate func openDownload(_ path: String) -> Bool {
        downloadFile = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if downloadFile < 0 { localError = "cannot create download file: \(String(cString: strerror(errno)))" }
        return downloadFile >= 0
    }

    fileprivate func readBody(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        while true {
            let count = read(bodyFile, buffer, capacity)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            localError = "cannot read body file: \(String(cString: strerror(errno)))"
            return objectmail_readfunc_abort()
        }
    }

    fileprivate func seekBody(to offset: Int64) -> Bool {
        lseek(bodyFile, off_t(offset), SEEK_SET) == off_t(offset)
    }

    fileprivate func writeBody(_ data: UnsafeMutablePointer<CChar>, count: Int) -> Int {
        if case .file(let path) = request.sink, (200..<300).contains(status) {
            if downloadFile < 0, !openDownload(path) { return 0 }
            var written = 0
            while written < count {
                let result = write(downloadFile, data + written, count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    localError = "cannot write download file: \(String(cString: strerror(errno)))"
                    return 0 // aborts the transfer
                }
                written += result
            }
            return count
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) {
            memoryBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }

    fileprivate func receiveHeaderLine(_ data: UnsafeMutablePointer<CChar>, count: Int) {
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            // A new response (after 100 Continue): forget the interim one's headers.
            headers = [:]
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
        if name == "content-length", case .memory = request.sink, let length = Int(value), length <= 64 << 20 {
            memoryBody.reserveCapacity(length) // one allocation for the whole body
        }
    }
}

private func transfer(_ pointer: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(pointer!).takeUnretainedValue()
}

private let curlHeaderCallback: objectmail_curl_data_cb = { data, size, count, user in
    guard let data else { return 0 }
    transfer(user).receiveHeaderLine(data, count: size * count)
    return size * count
}

private let curlWriteCallback: objectmail_curl_data_cb = { data, size, count, user in
    guard let data else { return 0 }
    return transfer(user).writeBody(data, count: size * count)
}

private let curlReadCallback: objectmail_curl_data_cb = { data, size, count, user in
    guard let data else { return objectmail_readfunc_abort() }
    return transfer(user).readBody(into: data, capacity: size * count)
}

private let curlSeekCallback: objectmail_curl_seek_cb = { user, offset, origin in
    guard origin == SEEK_SET else { return 2 } // CURL_SEEKFUNC_CANTSEEK
    return transfer(user).seekBody(to: Int64(offset)) ? 0 : 1 // CURL_SEEKFUNC_OK / _FAIL
}
