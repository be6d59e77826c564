import Crypto
import Foundation
import ObjectStore
import Primitives

/// A user's personal Sieve scripts (Pigeonhole's `sieve = file:~/sieve;active=~/.dovecot.sieve` storage), kept with
/// the rest of the user's state so that any backend, even one with an empty metacache, runs the same active script:
///
/// - each script's text is an object in the bucket named by its SHA-256, `PREFIX/sieve/HASH` (written once, never
///   changed, so the fscache in front of the store is a cache that can never be stale);
/// - which names exist, the hash each names, and which one is active are index state keys (`sieve.script:NAME` →
///   HASH, `sieve.active` → NAME), which travel in the user's root index bundle.
///
/// Every change uploads the index before it returns, as a doveadm command's result must survive the backend.
extension MailUser {
    static let sieveScriptKeyPrefix = "sieve.script:"
    static let sieveActiveKey = "sieve.active"

    /// The bucket key of a script text with this hash, relative to the user's prefix.
    static func sieveObjectKey(hash: String) -> String { "sieve/\(hash)" }

    /// The user's scripts by name, and whether each is the active one.
    public func sieveScripts() async throws -> [SieveScriptEntry] {
        let state = try await mapErrors { try await index.states(withPrefix: "sieve.") }
        let active = state[Self.sieveActiveKey]
        return state.keys.filter { $0.hasPrefix(Self.sieveScriptKeyPrefix) }.sorted().map { key in
            let name = String(key.dropFirst(Self.sieveScriptKeyPrefix.count))
            return SieveScriptEntry(name: name, active: name == active)
        }
    }

    /// The text of a script, or nil when the user has none by this name.
    public func sieveScript(named name: String) async throws -> String? {
        guard let hash = try await mapErrors({ try await index.state(Self.sieveScriptKeyPrefix + name) }) else { return nil }
        return try await sieveText(hash: hash)
    }

    /// The active script's name and text; nil when none is active.
    public func activeSieveScript() async throws -> (name: String, text: String)? {
        guard let name = try await mapErrors({ try await index.state(Self.sieveActiveKey) }),
            let text = try await sieveScript(named: name)
        else { return nil }
        return (name, text)
    }

    /// Stores a script under `name`, replacing one of that name (the caller has compiled it).
    public func putSieveScript(named name: String, text: String) async throws {
        try SieveScriptName.validate(name)
        let bytes = Array(text.utf8)
        let hash = Hex.encode(Array(SHA256.hash(data: bytes)))
        let key = layout.bucketKey(Self.sieveObjectKey(hash: hash))
        let store = self.store
        try await mapErrors {
            try await TemporaryFailureRetry.run {
                try await store.put(key, bytes: bytes, options: PutOptions(contentType: "application/sieve"))
            }
        }
        let previous = try await mapErrors { try await index.state(Self.sieveScriptKeyPrefix + name) }
        try await mapErrors { try await index.setState(Self.sieveScriptKeyPrefix + name, hash) }
        try await uploadSieveChange()
        if let previous, previous != hash { await deleteUnreferencedSieveObject(hash: previous) }
    }

    /// Makes `name` the script run on delivery.
    public func activateSieveScript(named name: String) async throws {
        guard try await mapErrors({ try await index.state(Self.sieveScriptKeyPrefix + name) }) != nil else {
            throw SieveStorageError.scriptNotFound(name)
        }
        try await mapErrors { try await index.setState(Self.sieveActiveKey, name) }
        try await uploadSieveChange()
    }

    /// No personal script runs on delivery any more (sieve_default does, if configured).
    public func deactivateSieveScripts() async throws {
        try await mapErrors { try await index.setState(Self.sieveActiveKey, nil) }
        try await uploadSieveChange()
    }

    /// Removes a script; the active one only when `evenIfActive` (which leaves no script active), as doveadm's -a.
    public func deleteSieveScript(named name: String, evenIfActive: Bool) async throws {
        guard let hash = try await mapErrors({ try await index.state(Self.sieveScriptKeyPrefix + name) }) else {
            throw SieveStorageError.scriptNotFound(name)
        }
        let active = try await mapErrors { try await index.state(Self.sieveActiveKey) }
        if active == name {
            guard evenIfActive else { throw SieveStorageError.scriptActive(name) }
            try await mapErrors { try await index.setState(Self.sieveActiveKey, nil) }
        }
        try await mapErrors { try await index.setState(Self.sieveScriptKeyPrefix + name, nil) }
        try await uploadSieveChange()
        await deleteUnreferencedSieveObject(hash: hash)
    }

    private func sieveText(hash: String) async throws -> String {
        let key = layout.bucketKey(Self.sieveObjectKey(hash: hash))
        let store = self.store
        let object = try await mapErrors { try await TemporaryFailureRetry.run { try await store.get(key) } }
        // The name is the hash of the text: a different text is a corrupt object, never a script to run.
        guard Hex.encode(Array(SHA256.hash(data: object.body))) == hash else { throw SieveStorageError.corrupt(key) }
        return String(decoding: object.body, as: UTF8.self)
    }

    private func uploadSieveChange() async throws {
        scheduleUpload()
        try await flush()
    }

    /// Two names may hold the same text: its object goes only when no name refers to it any more.
    private func deleteUnreferencedSieveObject(hash: String) async {
        do {
            let state = try await mapErrors { try await index.states(withPrefix: Self.sieveScriptKeyPrefix) }
            guard !state.values.contains(hash) else { return }
            try await store.delete(layout.bucketKey(Self.sieveObjectKey(hash: hash)))
        } catch {
            // Garbage only: the object is unreferenced and its name is its content.
            logger.warning("sieve: could not delete an unused script object: \(error)")
        }
    }
}

/// One of the user's scripts, as doveadm sieve list shows it.
public struct SieveScriptEntry: Sendable, Equatable {
    public var name: String
    public var active: Bool

    public init(name: String, active: Bool) {
        self.name = name
        self.active = active
    }
}

/// Script names as Pigeonhole's file storage accepts them: not empty, at most 255 bytes, no `/`, no control characters.
public enum SieveScriptName {
    public static func validate(_ name: String) throws(SieveStorageError) {
        guard !name.isEmpty, name.utf8.count <= 255, !name.contains("/"),
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { throw .invalidName(name) }
    }
}

public enum SieveStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case scriptNotFound(String)
    case scriptActive(String)
    case invalidName(String)
    case corrupt(String)
    case scriptExists(String)

    public var description: String {
        switch self {
        case .scriptNotFound(let name): "Sieve script does not exist: \(name)"
        case .scriptActive(let name): "Cannot delete active Sieve script: \(name)"
        case .invalidName(let name): "Invalid Sieve script name: \(name)"
        case .corrupt(let key): "Sieve script object \(key) does not match its hash"
        case .scriptExists(let name): "Sieve script already exists: \(name)"
        }
    }
}
