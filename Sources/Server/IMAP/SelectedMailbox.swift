import Foundation
import ObjectMail

/// The selected mailbox of a session: its record as of the last synchronization and the client's view.
struct SelectedMailbox: Sendable {
    var mailbox: Mailbox
    var view: MailboxView
    var readOnly: Bool
    /// A removed message is still in the view (it could not be reported yet).
    var expungePending = false
    /// New messages are in the index but not yet announced (imap_client_workarounds = delay-newmail).
    var newMailPending = false
    /// `MailUser.indexGeneration` when `mailbox` and `view` were last brought up to date: while it is
    /// unchanged, synchronizing needs no index query.
    var indexGeneration: UInt64?
    /// SEARCH/SORT RETURN (UPDATE) results kept up to date (RFC 5267); they end with the selection.
    var searchContexts: [SearchContext] = []
}

/// An IDLE in progress: its tag and the watch that wakes the session.
struct IdleState: Sendable {
    var tag: String
    var watch: Task<Void, Never>?
    var keepalive: Task<Void, Never>?
    var subscriptionID: UUID?
}
