import ObjectStore
import Testing

@Suite struct RepeatedFailureLogTests {
    @Test func logsThe1st2nd4th8thFailureInARowAndStartsAgainAfterASuccess() {
        let log = RepeatedFailureLog()
        let logged = (1...20).compactMap { _ in log.failed() }
        #expect(logged == [1, 2, 4, 8, 16])
        log.succeeded()
        #expect(log.failed() == 1)
        #expect(!RepeatedFailureLog.isLogged(0) && !RepeatedFailureLog.isLogged(3) && RepeatedFailureLog.isLogged(64))
    }
}
