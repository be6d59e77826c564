import Crypto
import ObjectMail
import Primitives

/// `pop3_uidl_format`: how a message's UIDL is made. Dovecot's variables: `%u` UID, `%v`
/// UIDVALIDITY, `%g` message GUID, `%m` MD5 of the header, `%f` file name (here: the object name).
/// The default `%08Xu%08Xv` changes when the folder's UIDVALIDITY does; `%g` survives any rebuild
/// of the index because the GUID is stored with the object.
struct POP3UIDLFormat: Sendable, Equatable {
    static let letters: [Character: String] = ["u": "uid", "v": "uidvalidity", "g": "guid", "m": "md5", "f": "filename"]
    static let defaultFormat = "%08Xu%08Xv"

    let template: POP3Template

    init(_ format: String) throws {
        template = try POP3Template(format, setting: "pop3_uidl_format", letters: Self.letters)
    }

    /// `%m` needs the message header, which only the stored object has: a GET per message.
    var needsHeader: Bool { template.expandable.contains("{md5}") }

    /// The UIDL of one message. `header` is the message's header bytes, needed only for `%m`.
    func uidl(of message: MessageSummary, uidValidity: UInt32, header: [UInt8]? = nil) -> String {
        uidl(uid: message.uid, uidValidity: uidValidity, guid: message.guid, objectKey: message.objectKey, header: header)
    }

    func uidl(uid: UInt32, uidValidity: UInt32, guid: String, objectKey: String, header: [UInt8]? = nil) -> String {
        var values = [
            "uid": String(uid), "uidvalidity": String(uidValidity), "guid": guid,
            "filename": String(objectKey.split(separator: "/").last ?? "")
        ]
        if let header {
            values["md5"] = Hex.encode(Insecure.MD5.hash(data: header))
        } else {
            values["md5"] = ""
        }
        return template.expand(values)
    }
}
