import NIOCore
import Synchronization

/// What `IMAPCommandFramer` delivers, in the order the session must act on it.
public enum IMAPFrame: Sendable, Equatable {
    /// A complete command: its line(s), literal data and the final CRLF, ready for `IMAPCommandParser`.
    case command(ByteBuffer)
    /// One line without its CRLF, in `.line` mode (IDLE's `DONE`, AUTHENTICATE responses).
    case line(ByteBuffer)
    /// The client announced a synchronizing literal and waits: write `+ OK` now, even while an earlier
    /// pipelined command is still running.
    case continuationRequest
    /// The framer refused input (too long, too many literals …); answer with `response` and, if
    /// `closeConnection`, say BYE and close.
    case rejected(IMAPFramingError)
    /// An APPEND literal of at least `IMAPFramingLimits.spoolThreshold` bytes begins. `prefix` is the command so
    /// far, up to and including the line announcing it; the literal follows as `.literalData` pieces, then the
    /// rest of the command as further `.spooledLiteral`s and a final `.command`. For a synchronizing literal the
    /// session answers `+` (or refuses it and calls `IMAPFramerControl.cancelSpooledLiteral()`).
    case spooledLiteral(prefix: ByteBuffer, length: UInt64, synchronizing: Bool)
    /// The next piece of the literal announced by `.spooledLiteral`.
    case literalData(ByteBuffer)
}

public struct IMAPFramingError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case lineTooLong, literalTooLarge, nonSynchronizingLiteralTooLarge, tooManyLiterals, commandTooLarge
        /// Input queued behind STARTTLS or COMPRESS, before the new layer was in place.
        case dataAfterLayerSwitch
    }

    public var kind: Kind
    /// The command's tag when it could be read; nil means answer untagged.
    public var tag: String?
    public var status: ResponseStatus
    public var code: ResponseCode?
    public var message: String
    public var closeConnection: Bool

    public init(
        kind: Kind, tag: String?, status: ResponseStatus, code: ResponseCode? = nil, message: String,
        closeConnection: Bool = false
    ) {
        self.kind = kind
        self.tag = tag
        self.status = status
        self.code = code
        self.message = message
        self.closeConnection = closeConnection
    }
}

/// Limits that keep a client from making the server buffer without bound.
public struct IMAPFramingLimits: Sendable, Equatable {
    /// `imap_max_line_length`: bytes of one line, literals not counted.
    public var maxLineLength: Int
    /// The largest literal accepted (APPENDLIMIT).
    public var maxLiteralSize: UInt64
    /// LITERAL- (RFC 7888) caps non-synchronizing literals at 4096; nil for LITERAL+ (no cap but `maxLiteralSize`).
    public var maxNonSynchronizingLiteralSize: UInt64?
    /// Literals in one command (MULTIAPPEND and CATENATE use many, nothing else does).
    public var maxLiteralsPerCommand: Int
    /// All bytes of one command, literals included: the whole command is buffered before it is parsed,
    /// so this bounds a connection's memory.
    public var maxCommandSize: UInt64
    /// A rejected non-synchronizing literal larger than this is not skipped: the connection is closed.
    public var maxSkippedLiteralSize: UInt64
    /// All bytes of one command before login. Dovecot's imap-login reads a command into an 8 KiB buffer and
    /// answers a literal that does not fit with `* BYE Literal size too large`; so does this framer.
    public var maxCommandSizeBeforeLogin: UInt64 = 8192
    /// After login, APPEND literals of at least this many bytes are handed up in pieces (`.spooledLiteral`,
    /// `.literalData`) for the session to write to `mail_temp_dir`, instead of being buffered; nil: never.
    public var spoolThreshold: UInt64?

    public init(
        maxLineLength: Int = 65_536, maxLiteralSize: UInt64 = 64 * 1024 * 1024,
        maxNonSynchronizingLiteralSize: UInt64? = nil, maxLiteralsPerCommand: Int = 1000,
        maxCommandSize: UInt64 = 256 * 1024 * 1024, maxSkippedLiteralSize: UInt64 = 1024 * 1024 * 1024
    ) {
        self.maxCommandSize = maxCommandSize
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxNonSynchronizingLiteralSize = maxNonSynchronizingLiteralSize
        self.maxLiteralsPerCommand = maxLiteralsPerCommand
        self.maxSkippedLiteralSize = maxSkippedLiteralSize
    }
}

/// How the next input is framed. The session switches to `.line` while it waits for IDLE's DONE or for
/// AUTHENTICATE responses, and back to `.command` afterwards. Changes apply from the next frame on, because
/// the framer hands each frame up the pipeline before it decodes the next one.
public enum IMAPFramingMode: Sendable, Equatable {
    case command
    case line
}

/// Shared by the framer and the session of one connection. The session tells the framer when the client has
/// logged in (the framer's limits are stricter before); the framer may run on another thread than the session
/// task, so the state is atomic.
public final class IMAPFramerControl: Sendable {
    private let lineMode = Atomic<Bool>(false)
    private let loggedIn: Atomic<Bool>
    private let spoolCancelled = Atomic<Bool>(false)

    public init(authenticated: Bool = false) {
        loggedIn = Atomic(authenticated)
    }

    public var mode: IMAPFramingMode {
        get { lineMode.load(ordering: .relaxed) ? .line : .command }
        set { lineMode.store(newValue == .line, ordering: .relaxed) }
    }

    /// Until the client is authenticated, a command with its literals is limited to
    /// `IMAPFramingLimits.maxCommandSizeBeforeLogin`: an anonymous client cannot make the server buffer a large literal.
    public var authenticated: Bool {
        get { loggedIn.load(ordering: .relaxed) }
        set { loggedIn.store(newValue, ordering: .relaxed) }
    }

    /// The session refused a synchronizing `.spooledLiteral` without sending `+`: the client will not send it,
    /// so the framer drops the command and reads the next one. Call before the refusal is written.
    public func cancelSpooledLiteral() {
        spoolCancelled.store(true, ordering: .sequentiallyConsistent)
    }

    func takeSpoolCancellation() -> Bool {
        spoolCancelled.exchange(false, ordering: .sequentiallyConsistent)
    }
}
