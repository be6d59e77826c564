import Testing

@testable import Server

/// RFC 5267 §4.3: the ADDTO/REMOVEFROM pairs that turn a kept result into the current one.
@Suite struct SearchContextTests {
    /// Applies the pairs as a client does (§4.3.3/§4.3.4), to check they reproduce the new result.
    func apply(_ changes: [SearchContextChange], to result: [UInt32]) -> [UInt32] {
        var result = result
        for change in changes {
            if change.added {
                if change.position == 0 {
                    result = (result + change.uids).sorted()
                } else {
                    result.insert(contentsOf: change.uids, at: Int(change.position) - 1)
                }
            } else if change.position == 0 {
                result.removeAll(where: change.uids.contains)
            } else {
                for (offset, uid) in change.uids.enumerated() {
                    #expect(result[Int(change.position) - 1] == uid, "REMOVEFROM position \(change.position) + \(offset)")
                    result.remove(at: Int(change.position) - 1)
                }
            }
        }
        return result
    }

    @Test func searchUsesPositionZero() {
        // §4.3.4's example: 32768 leaves the result, then 32769 is added.
        let changes = SearchContextChange.between([23762, 23763, 32768], [23762, 23763, 32769], sorted: false)
        #expect(
            changes == [
                SearchContextChange(added: false, position: 0, uids: [32768]),
                SearchContextChange(added: true, position: 0, uids: [32769])
            ])
        #expect(SearchContextChange.between([1, 2], [1, 2], sorted: false).isEmpty)
    }

    @Test func sortInsertsAtFinalPositionsInOnePair() {
        // §4.3.3: 2734:2735 becoming 2731:2735 is best said as ADDTO (1 2731:2733).
        let changes = SearchContextChange.between([2734, 2735], [2731, 2732, 2733, 2734, 2735], sorted: true)
        #expect(changes == [SearchContextChange(added: true, position: 1, uids: [2731, 2732, 2733])])
    }

    @Test func sortRemovalsKeepTheClientsPositions() {
        let old: [UInt32] = [9, 3, 7, 1, 5]
        let new: [UInt32] = [8, 9, 7, 5, 2]
        let changes = SearchContextChange.between(old, new, sorted: true)
        #expect(
            changes.filter { !$0.added } == [
                SearchContextChange(added: false, position: 4, uids: [1]),
                SearchContextChange(added: false, position: 2, uids: [3])
            ])
        #expect(apply(changes, to: old) == new)
    }

    @Test func sortOrderChangeFallsBackToReplacingAll() {
        let changes = SearchContextChange.between([1, 2, 3], [3, 2, 1], sorted: true)
        #expect(apply(changes, to: [1, 2, 3]) == [3, 2, 1])
    }

    @Test func randomChangesReproduceTheNewResult() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let universe = Array(UInt32(1)...30).shuffled(using: &generator)
            let old = universe.filter { _ in Bool.random(using: &generator) }
            // Keep the old result's relative order, as a sort by fixed keys does.
            let kept = old.filter { _ in Bool.random(using: &generator) }
            var new = kept
            for uid in universe where !old.contains(uid) && Bool.random(using: &generator) {
                new.insert(uid, at: Int.random(in: 0...new.count, using: &generator))
            }
            #expect(apply(SearchContextChange.between(old, new, sorted: true), to: old) == new)
            let unsortedOld = old.sorted()
            let unsortedNew = new.sorted()
            #expect(apply(SearchContextChange.between(unsortedOld, unsortedNew, sorted: false), to: unsortedOld) == unsortedNew)
        }
    }
}
