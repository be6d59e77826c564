import Foundation
import MailModel
import PropertyBased
import Testing

@testable import MetaCache

/// Random sequences of save, copy, move, expunge and flag changes, checked after every step
/// against a plain in-memory model: messages per mailbox, object reference counts, pending
/// deletes, and MODSEQ that never goes down.
@Suite struct UserIndexModelTests {
    struct ModelMessage: Equatable {
        var objectKey: String
        var flags: MessageFlags
    }

    /// Mailbox id → UID → message.
    typealias Model = [Int64: [UInt32: ModelMessage]]

    @Test func randomOperationSequencesMatchTheModel() async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...9_999).array(of: 1...40)) { codes in
            let (index, _) = try makeIndex()
            var mailboxes: [Int64] = []
            for n in 0..<3 {
                mailboxes.append(try await index.createMailbox(name: "box\(n)", guid: "g\(n)", uidValidity: 1).id)
            }
            var model: Model = [:]
            var uidNext: [Int64: UInt32] = [:]
            var released = Set<String>()
            var lastModSeq: [Int64: Int64] = [:]
            var saved = 0

            for code in codes {
                let box = mailboxes[code % 3]
                let other = mailboxes[(code / 3) % 3]
                let uids = Array((model[box] ?? [:]).keys).sorted()
                let picked = UIDSet(uids.enumerated().filter { ($0.offset + code) % 2 == 0 }.map(\.element))
                switch (code / 9) % 5 {
                case 0:
                    saved += 1
                    let message = newMessage(saved, mailboxGUID: "g\(code % 3)")
                    let result = try await index.appendMessages([message], toMailbox: box)
                    let uid = uidNext[box, default: 1]
                    #expect(result.destinationUIDs == [uid])
                    model[box, default: [:]][uid] = ModelMessage(objectKey: message.objectKey, flags: [])
                    uidNext[box] = uid + 1
                case 1 where box != other:
                    let result = try await index.copyMessages(picked, from: box, to: other)
                    for (source, destination) in zip(result.sourceUIDs, result.destinationUIDs) {
                        #expect(destination == uidNext[other, default: 1])
                        model[other, default: [:]][destination] = model[box]![source]!
                        uidNext[other] = destination + 1
                    }
                case 2 where box != other:
                    let (copied, expunged) = try await index.moveMessages(picked, from: box, to: other)
                    #expect(expunged.releasedObjects.isEmpty)
                    for (source, destination) in zip(copied.sourceUIDs, copied.destinationUIDs) {
                        model[other, default: [:]][destination] = model[box]![source]!
                        model[box]![source] = nil
                        uidNext[other] = destination + 1
                    }
                case 3:
                    let result = try await index.expungeMessages(picked, in: box)
                    for uid in result.expungedUIDs { model[box]![uid] = nil }
                    released.formUnion(result.releasedObjects)
                default:
                    let flag: MessageFlags = code % 2 == 0 ? .seen : .flagged
                    let result = try await index.storeFlags(FlagChange(.add, flags: flag), on: picked, in: box)
                    for state in result.changed { model[box]![state.uid]!.flags.insert(flag) }
                }

                // The index agrees with the model.
                var references: [String: Int] = [:]
                for mailbox in mailboxes {
                    let states = try await index.messageStates(in: mailbox)
                    let rows = try await index.messages(.all, in: mailbox)
                    let expected = model[mailbox] ?? [:]
                    #expect(states.map(\.uid) == expected.keys.sorted())
                    for (state, row) in zip(states, rows) {
                        #expect(expected[state.uid] == ModelMessage(objectKey: row.objectKey, flags: state.flags))
                        references[row.objectKey, default: 0] += 1
                    }
                    let modSeq = try #require(try await index.mailbox(named: "box\(mailboxes.firstIndex(of: mailbox)!)")).highestModSeq
                    #expect(modSeq >= lastModSeq[mailbox, default: 0])
                    #expect(states.allSatisfy { $0.modSeq <= modSeq })
                    lastModSeq[mailbox] = modSeq
                }
                for (key, count) in references {
                    #expect(try await index.referenceCount(of: key) == count)
                }
                // An object is pending deletion exactly when nothing refers to it any more.
                let pending = Set(try await index.pendingObjectDeletes())
                #expect(pending == released)
                #expect(pending.isDisjoint(with: references.keys))
            }
        }
    }
}
