import NIOCore

/// Hands a session's framed input to its task: the connection announced once, every frame queued,
/// reading paused while the session is more than `TrafficCounter.maxQueuedFrames` behind (a client
/// pipelining faster than commands run), and the stream finished when the connection goes. IMAP and
/// POP3 differ only in how a frame or a pipeline event becomes an input, which subclasses say.
class SessionChannelHandler<Frame, Input: Sendable>: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    let inputs: AsyncStream<Input>.Continuation
    let traffic: TrafficCounter
    private let connected: Input
    private var announced = false

    init(inputs: AsyncStream<Input>.Continuation, traffic: TrafficCounter, connected: Input) {
        self.inputs = inputs
        self.traffic = traffic
        self.connected = connected
    }

    /// The session's input for a frame; nil when the handler answered it itself.
    func input(for frame: Frame, context: ChannelHandlerContext) -> Input? { nil }

    /// The session's input for a pipeline event (shutdown, idle timeout); nil for none.
    func input(forEvent event: Any, context: ChannelHandlerContext) -> Input? { nil }

    final func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { announceConnection() }
    }

    final func channelActive(context: ChannelHandlerContext) {
        announceConnection()
        context.fireChannelActive()
    }

    private func announceConnection() {
        guard !announced else { return }
        announced = true
        inputs.yield(connected)
    }

    final func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let input = input(for: unwrapInboundIn(data), context: context) else { return }
        inputs.yield(input)
        if traffic.queuedFrames.add(1, ordering: .relaxed).newValue > TrafficCounter.maxQueuedFrames {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    final func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let input = input(forEvent: event, context: context) { inputs.yield(input) }
        context.fireUserInboundEventTriggered(event)
    }

    final func channelInactive(context: ChannelHandlerContext) {
        inputs.finish()
        context.fireChannelInactive()
    }

    final func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inputs.finish()
        context.close(promise: nil)
    }
}
