import Foundation
import Sieve

/// One script of a delivery's sequence: a global one (sieve_before, sieve_default, sieve_after) read from its file, or
/// the user's active personal script.
struct SieveSequenceScript: Sendable {
    /// For logs: the path of a global script, the name of a personal one.
    var name: String
    var text: String
    var global: Bool
}

/// What the scripts of one delivery decided, before anything is carried out.
struct SieveDeliveryPlan: Sendable {
    struct Step: Sendable {
        var script: String
        var actions: [SieveAction]
        /// The message as editheader left it when this script ended; nil when unchanged.
        var editedMessage: [UInt8]?
    }

    var steps: [SieveDeliveryPlan.Step] = []
    /// The implicit keep when no script cancelled it: INBOX, with the last script's flags.
    var implicitKeep: SieveAction? = .store(mailbox: "INBOX", flags: [], copy: false, create: false)
    /// The message the implicit keep stores (the last edit), nil when unchanged.
    var keepMessage: [UInt8]?
    /// Duplicate ids the scripts tested, to remember once the delivery succeeded.
    var duplicateMarks: [SieveDuplicateMark] = []
    /// The script that failed (compile or runtime error) and its error, for the log; the implicit keep then applies.
    var failure: (script: String, error: String)?
}

/// Runs a delivery's scripts as Pigeonhole's multiscript does: sieve_before scripts, the user's script (or
/// sieve_default), sieve_after scripts, one after the other while the message is still kept by the implicit keep. A
/// script that cancels the implicit keep (fileinto, keep, discard, redirect, reject) ends the sequence; one that fails
/// to compile or run ends it too, its actions dropped, and the implicit keep applies. Synchronous and CPU-bound: run
/// it on a `BlockingPool`, never on Swift's cooperative threads.
enum SieveSequence {
    static func run(
        _ scripts: [SieveSequenceScript], message: SieveMessage, environment: SieveEnvironment,
        configuration: SieveDeliveryConfiguration, cache: SieveCompiledCache
    ) -> SieveDeliveryPlan {
        var plan = SieveDeliveryPlan()
        var message = message
        for source in scripts {
            var environment = environment
            environment.extensions = source.global ? configuration.globalExtensions : configuration.personalExtensions
            let compiled = cache.compiled(
                source.text, name: source.name, extensions: environment.extensions, limits: configuration.limits)
            let script: SieveScript
            switch compiled {
            case .success(let s): script = s
            case .failure(let error):
                plan.failure = (source.name, "failed to compile script: \(error.description)")
                return plan
            }
            let result = SieveInterpreter.run(script, message: message, environment: environment)
            if let error = result.runtimeError {
                plan.failure = (source.name, error)
                return plan
            }
            if let edited = result.editedMessage {
                message.bytes = edited
                plan.keepMessage = edited
            }
            plan.duplicateMarks += result.duplicateMarks
            if !result.actions.isEmpty {
                plan.steps.append(.init(script: source.name, actions: result.actions, editedMessage: plan.keepMessage))
            }
            plan.implicitKeep = result.implicitKeep
            if result.implicitKeep == nil { return plan }
        }
        return plan
    }
}
