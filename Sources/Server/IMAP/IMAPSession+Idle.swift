import ExecutorPreference
import IMAPProtocol
import NIOCore
import ObjectMail

/// IDLE (RFC 2177): the session waits for DONE, woken by changes to the user's mail and a keep-alive timer.
extension IMAPSession {
    func startIdle(tag: String, user: MailUser) async {
        let inputs = self.inputs
        // With NOTIFY set, its own watch wakes the session for exactly what the client asked for.
        let subscription = notification == nil ? user.events.watch(mailboxID: selected?.mailbox.id) : nil
        let watch = subscription.map { subscription in
            Task(executorPreference: PreferredExecutor.current) { for await _ in subscription.events { inputs.yield(.mailboxChanged) } }
        }
        let interval = configuration.idleNotifyInterval
        // 0 turns the keep-alive off (it would otherwise spin).
        let keepalive =
            interval > .zero
            ? Task {
                while (try? await Task.sleep(for: interval)) != nil { inputs.yield(.idleKeepalive) }
            } : nil
        state.beginIdle(IdleState(tag: tag, watch: watch, keepalive: keepalive, subscriptionID: subscription?.id))
        encoder.writeContinuation("idling", into: &output)
        await synchronize(newMail: true)
    }

    func idleInput(_ buffer: ByteBuffer) async {
        let tag = state.idle?.tag ?? "*"
        let done = Self.line(buffer).uppercased() == "DONE"
        await endIdle()
        if done {
            await synchronize(newMail: true)
            tagged(tag, .ok, code: highestModSeqCode(always: false), "Idle completed.")
        } else {
            tagged(tag, .bad, "Expected DONE.")
        }
    }

    func endIdle() async {
        guard let idle = state.endIdle() else { return }
        idle.watch?.cancel()
        idle.keepalive?.cancel()
        if let id = idle.subscriptionID { user?.events.stopWatching(id) }
    }
}
