/// The names of the metadata stored on every mail object: enough to rebuild the index from the
/// bucket alone if every index bundle is lost.
public enum MailObjectMetadata {
    public static let user = "username"
    public static let guid = "guid"
    public static let size = "size"
    public static let received = "received"
    public static let saved = "saved"
    public static let originalMailbox = "origbox"
    /// The name of that mailbox when the mail was saved, so a rebuild from objects alone can put
    /// recovered mail back under a name the user knows (percent-encoded UTF-8).
    public static let originalMailboxName = "origbox-name"
}
