import Testing

@testable import FSCache

@Suite struct LRUListTests {
    func list(_ count: Int) -> LRUList {
        var lru = LRUList()
        for index in 0..<count { lru.insertNewest("e\(index)", size: Int64(index + 1)) }
        return lru
    }

    @Test func aHitOnAnOldEntrySavesItFromEviction() {
        var lru = list(10)
        let touched = lru.touch("e0")
        let touchedMissing = lru.touch("missing")
        let oldest = lru.popOldest()
        #expect(touched && !touchedMissing)
        #expect(oldest?.name == "e1")
        #expect(lru.namesOldestFirst.last == "e0")
    }

    @Test func aHitAmongTheNewestHalfKeepsTheOrder() {
        var lru = list(10)
        let touched = lru.touch("e8")
        #expect(touched)
        #expect(lru.namesOldestFirst == (0..<10).map { "e\($0)" })
        #expect(lru.totalSize == 55)
    }

    @Test func removalsKeepSizesAndLinksConsistent() {
        var lru = list(6)
        let removed = lru.remove("e2")
        #expect(removed == 3)
        lru.insertNewest("e0", size: 10)
        #expect(lru.namesOldestFirst == ["e1", "e3", "e4", "e5", "e0"])
        #expect(lru.totalSize == 2 + 4 + 5 + 6 + 10)
        while lru.popOldest() != nil {}
        #expect(lru.count == 0 && lru.totalSize == 0)
    }
}
