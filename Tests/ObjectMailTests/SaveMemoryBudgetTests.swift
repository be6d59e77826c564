import ObjectMail
import Testing

@Suite struct SaveMemoryBudgetTests {
    @Test func reservationsFitTheLimitAndComeBack() {
        let budget = SaveMemoryBudget(limit: 1000)
        let first = budget.reserve(600)
        #expect(first == 600)
        #expect(budget.reserve(500) == nil) // 1100 would pass the limit: refused, nothing taken
        #expect(budget.inUse == 600)
        let second = budget.reserve(400)
        #expect(second == 400)
        budget.release(first!)
        budget.release(second!)
        #expect(budget.inUse == 0)
    }

    @Test func aSaveLargerThanTheWholeBudgetPassesAloneAndNoLimitCountsNothing() {
        let budget = SaveMemoryBudget(limit: 100)
        let large = budget.reserve(5000)
        #expect(large == 5000)
        #expect(budget.reserve(1) == nil)
        budget.release(large!)
        let unlimited = SaveMemoryBudget(limit: 0)
        #expect(unlimited.reserve(1 << 40) == 0)
        #expect(unlimited.inUse == 0)
    }
}
