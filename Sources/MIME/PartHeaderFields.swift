/// The Content-* fields of one part, parsed leniently with RFC 2045 defaults.
struct PartHeaderFields {
    var type: Bytes
    var subtype: Bytes
    var parameters: [MIMEParameter]
    var boundary: Bytes?
    var id: Bytes?
    var description: Bytes?
    var encoding: Bytes?
    var md5: Bytes?
    var disposition: Bytes?
    var dispositionParameters: [MIMEParameter] = []
    var language: [Bytes]?
    var location: Bytes?

    init(header: HeaderBlock, buffer: UnsafeRawBufferPointer, inDigest: Bool) {
        func value(_ name: String) -> Bytes? { header.first(name).map { $0.unfoldedValue(in: buffer) } }
        if let raw = value("content-type"), let ct = MIMEHeaderValue.parse(raw, hasSubtype: true) {
            type = ct.primary
            subtype = ct.secondary ?? Array("x-unknown".utf8)
            parameters = ct.parameters
        } else if inDigest {
            type = Array("message".utf8)
            subtype = Array("rfc822".utf8)
            parameters = []
        } else {
            // RFC 2045 §5.2: no (or an unparsable) Content-Type means text/plain; charset=us-ascii.
            type = Array("text".utf8)
            subtype = Array("plain".utf8)
            parameters = [MIMEParameter(name: Array("charset".utf8), value: Array("us-ascii".utf8))]
        }
        boundary = parameters.first { $0.name.equalsIgnoringCase("boundary") }?.value
        id = value("content-id")
        description = value("content-description")
        if let enc = value("content-transfer-encoding") {
            var t = MIMETokenizer(bytes: enc)
            t.skipCFWS()
            encoding = t.token() ?? enc
        }
        md5 = value("content-md5")
        if let raw = value("content-disposition"), let d = MIMEHeaderValue.parse(raw, hasSubtype: false) {
            disposition = d.primary
            dispositionParameters = d.parameters
        }
        if let raw = value("content-language") {
            let tags = raw.split(separator: UInt8(ascii: ",")).map { Array($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            language = tags.isEmpty ? nil : tags
        }
        location = value("content-location")
    }
}
