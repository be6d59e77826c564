import Crypto
import Foundation
import Primitives
import Testing

@testable import MetaCache

/// Bundles stay in the bucket across upgrades: a build must read every bundle an earlier one wrote. These pin the
/// bytes of a mailbox diff and a root bundle (varints, fixed-width integers, optional strings, the checksum).
@Suite struct BundleFormatTests {
    static let message = MessageRecord(
        mailboxID: 0, uid: 7, guid: "g1", objectKey: "k/1", flags: 3, keywords: 5, modSeq: 300,
        size: 1234, virtualSize: 1240, internalDate: -5, saveDate: 1_800_000_000,
        cachedFields: Data([1, 2, 3]))
    static let mailbox = MailboxBundle(
        kind: .diff, mailboxGUID: "mbox", previous: "bundle.1", sinceModSeq: 200, uidValidity: 0xDEAD_BEEF,
        uidNext: 8, highestModSeq: 300, createdAt: 1_700_000_000, keywords: [0: "$Label1", 3: "Work"],
        messages: [message], expunged: [2: 150, 9: 160])
    static let root = RootBundle(
        mailboxes: [
            .init(guid: "mbox", name: "INBOX", uidValidity: 42, specialUse: nil, createdAt: 1),
            .init(guid: "m2", name: "Sent", uidValidity: 43, specialUse: "\\Sent", createdAt: -2)
        ],
        subscriptions: ["INBOX"], state: ["last-uidvalidity": "43"])

    @Test func mailboxBundleKeepsItsBytes() throws {
        let stored =
            "4f4d49420102046d626f78010862756e646c652e31c801efbeadde08000000ac0280e2cfaa06020007244c6162656c310304576f"
            + "726b0107000000026731036b2f310305ac02d209d809fbffffffffffffffff0180a4a7da06030102030202000000960109000000a001"
            + "ffae93787dcf273f7eee0f5e2367c13dd469c6e46c8cf6660df96c72852dfb28"
        #expect(Hex.encode(BundleCodec.encode(Self.mailbox)) == stored)
        #expect(try BundleCodec.decodeMailbox(try #require(Hex.decode(stored)), name: "b") == Self.mailbox)
    }

    @Test func rootBundleKeepsItsBytes() throws {
        let stored =
            "4f4d4942011002046d626f7805494e424f582a0000000001026d320453656e742b00000001055c53656e74feffffffffffffffff"
            + "010105494e424f5801106c6173742d75696476616c69646974790234333d34f16081a182eabd07344a6dcbe54c79495d596553327f"
            + "f4823642a91b6ca4"
        #expect(Hex.encode(BundleCodec.encode(Self.root)) == stored)
        #expect(try BundleCodec.decodeRoot(try #require(Hex.decode(stored)), name: "r") == Self.root)
    }

    /// Damage inside the payload that still matches its checksum (a bundle written by a broken build) is refused
    /// with the bundle's name, never a trap.
    @Test func truncatedPayloadIsCorrupt() throws {
        var bytes = BundleCodec.encode(Self.root)
        bytes.removeLast(32)
        bytes.removeLast(3)
        bytes += Array(SHA256.hash(data: bytes))
        #expect(throws: BundleError.self) { try BundleCodec.decodeRoot(bytes, name: "r") }
    }
}
