import Foundation
import Logging
import MailModel
import ObjectMail
import Primitives
import Sieve

/// Delivery through Sieve (Pigeonhole's sieve plugin of dovecot-lda and LMTP): the recipient's scripts decide, the
/// save path of `StorageDelivery` carries the decision out. Every action is logged as Pigeonhole logs it
/// (`sieve: msgid=<…>: stored mail into mailbox 'X'`).
extension StorageDelivery {
    /// Scripts run here, never on Swift's cooperative threads: a hostile script may use its whole step budget.
    static let sievePool = BlockingPool(threads: 2)

    func sieveDeliver(
        _ message: LMTPMessage, header: [UInt8], for recipient: LMTPRecipient, as request: DeliveryRequest,
        messageID: String, session: LMTPSessionInfo, sieve: SieveDeliveryConfiguration
    ) async -> DeliveryOutcome {
        var logger = sessionLogger(session)
        logger[metadataKey: "user"] = "\(recipient.user)"
        let plan: SieveDeliveryPlan
        let user: MailUser
        let bytes: [UInt8]
        let forwarded: Set<String>
        do {
            user = try await storage.user(recipient.user, userdb: UserdbLocation(fields: recipient.userdbFields))
            await user.applyUserdbFields(recipient.userdbFields)
            let scripts = try await sieveScripts(of: user, sieve: sieve, logger: logger)
            // No script at all: Dovecot's delivery without Sieve.
            guard !scripts.isEmpty else {
                return await save(message, header: header, for: recipient, as: request, messageID: messageID, session: session)
            }
            bytes = try await header + (message.spool?.readAllAsync() ?? message.bytes)
            let sieveMessage = SieveMessage(bytes: bytes, envelopeFrom: message.mailFrom, envelopeTo: recipient.address)
            let environment = try await sieveEnvironment(for: user, sieve: sieve)
            forwarded = try await user.sieveDuplicates()
            let cache = sieveCache
            plan = try await Self.sievePool.run {
                SieveSequence.run(scripts, message: sieveMessage, environment: environment, configuration: sieve, cache: cache)
            }
        } catch {
            // The user's scripts could not be read: delivering without them would bypass the user's filters.
            logger.error("sieve: msgid=\(messageID): failed to open the user's scripts: \(error)")
            return .temporaryFailure("\(error)")
        }
        let sending = SieveSendContext(
            sieve: sieve, outgoing: SieveOutgoingMail(original: bytes, hostname: sieve.hostname), envelopeSender: message.mailFrom,
            recipient: recipient, user: user, log: "sieve: msgid=\(messageID)", logger: logger, forwarded: forwarded)
        return await carryOut(
            plan, message, header: header, for: recipient, of: user, as: request, messageID: messageID, sending: sending, logger: logger)
    }

    /// sieve_before…, the user's active script (else sieve_default), sieve_after…: those that exist.
    private func sieveScripts(of user: MailUser, sieve: SieveDeliveryConfiguration, logger: Logger) async throws -> [SieveSequenceScript] {
        let before = try await Self.globalScripts(sieve.before)
        let after = try await Self.globalScripts(sieve.after)
        var main: [SieveSequenceScript] = []
        if sieve.personal, let active = try await user.activeSieveScript() {
            main = [SieveSequenceScript(name: active.name, text: active.text, global: false)]
        } else if let path = sieve.defaultScript {
            main = try await Self.globalScripts([path])
        }
        return before + main + after
    }

    /// The scripts of files or directories (their `*.sieve` files in name order); a missing one is skipped, as
    /// Pigeonhole skips a sieve_before that does not exist.
    static func globalScripts(_ paths: [String]) async throws -> [SieveSequenceScript] {
        try await BlockingPool.fileIO.run {
            var scripts: [SieveSequenceScript] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                let files =
                    isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sieve") }.sorted()
                        .map { path + "/" + $0 } : [path]
                for file in files {
                    let data = try Data(contentsOf: URL(fileURLWithPath: file))
                    scripts.append(SieveSequenceScript(name: file, text: String(decoding: data, as: UTF8.self), global: true))
                }
            }
            return scripts
        }
    }

    /// What the scripts may ask: the user's mailboxes (mailboxexists), included scripts (the user's own, or the
    /// sieve_global directory's), the limits.
    private func sieveEnvironment(for user: MailUser, sieve: SieveDeliveryConfiguration) async throws -> SieveEnvironment {
        let mailboxes = Set(try await user.listMailboxes().filter(\.exists).map(\.name.value))
        let duplicates = try await user.sieveDuplicates()
        let responded = try await user.sieveDuplicates(.vacation)
        let globalDirectory = sieve.globalDirectory
        let personal = sieve.personal
        return SieveEnvironment(
            mailboxExists: { mailboxes.contains((try? MailboxName($0))?.value ?? $0) },
            alreadyResponded: { sender, handle, _ in responded.contains(MailUser.sieveDuplicateHash(Self.vacationID(sender, handle))) },
            duplicateSeen: { id, _ in duplicates.contains(MailUser.sieveDuplicateHash(id)) },
            loadScript: { name, location in
                // Called on the Sieve pool's thread, which may wait.
                switch location {
                case .global:
                    guard let globalDirectory, !name.contains("/") else { return nil }
                    return (try? Data(contentsOf: URL(fileURLWithPath: "\(globalDirectory)/\(name).sieve")))
                        .map { String(decoding: $0, as: UTF8.self) }
                case .personal:
                    guard personal else { return nil }
                    return WaitForAsync.result { try? await user.sieveScript(named: name) } ?? nil
                }
            },
            limits: sieve.limits)
    }

    // MARK: Carrying the decision out

    private func carryOut(
        _ plan: SieveDeliveryPlan, _ message: LMTPMessage, header: [UInt8], for recipient: LMTPRecipient, of user: MailUser,
        as request: DeliveryRequest, messageID: String, sending: SieveSendContext, logger: Logger
    ) async -> DeliveryOutcome {
        let log = "sieve: msgid=\(messageID)"
        var storedInto: [String] = []
        var actionFailed = false
        for step in plan.steps {
            for action in step.actions {
                switch action {
                case .store(let mailbox, let flags, _, let create):
                    // keep (INBOX here) stores into the default mailbox: LMTP's detail one, LDA's -m.
                    let keepsDefault = mailbox == MailboxName.inbox.value && request.mailbox != nil
                    do {
                        let name = try await storeCopy(
                            message, header: header, edited: step.editedMessage, into: keepsDefault ? request.mailbox! : mailbox,
                            flags: flags, create: create || (keepsDefault && request.autocreate), of: user, request: request,
                            logger: logger, fallbackToInbox: keepsDefault)
                        storedInto.append(name)
                        logger.info("\(log): stored mail into mailbox '\(name)'")
                    } catch {
                        // The store or the index failing is no verdict on the script: retry the delivery rather than
                        // file the message elsewhere (Pigeonhole's temporary failure).
                        if Self.isStorageFault(error) {
                            logger.error("\(log): failed to store into mailbox '\(mailbox)': \(error) (temporary failure)")
                            return Self.outcome(of: error)
                        }
                        logger.info("\(log): failed to store into mailbox '\(mailbox)': \(error)")
                        actionFailed = true
                    }
                case .discard:
                    logger.info("\(log): marked message to be discarded if not explicitly delivered (discard action)")
                case .reject where message.mailFrom.isEmpty:
                    // Nobody to tell: the message is dropped, as Pigeonhole drops it.
                    logger.info("\(log): not sending reject message to <>")
                case .redirect, .reject, .vacation:
                    switch await sieveSend(action, sending) {
                    case .done: break
                    case .failed: actionFailed = true
                    // As Pigeonhole: the MTA tries the whole delivery again later.
                    case .temporaryFailure(let error): return .temporaryFailure(error)
                    }
                }
            }
        }
        if let failure = plan.failure {
            logger.error("sieve: \(failure.script): \(failure.error)")
        }
        // Pigeonhole keeps the message when the script failed or one of its actions did, as it would without them.
        let keep: SieveAction? =
            plan.failure != nil || actionFailed ? plan.implicitKeep ?? .store(mailbox: "INBOX", flags: [], copy: false, create: false) : plan.implicitKeep
        if case .store(_, let flags, _, _) = keep {
            let target = request.mailbox ?? MailboxName.inbox.value
            if !storedInto.contains(target) {
                do {
                    let name = try await storeCopy(
                        message, header: header, edited: plan.keepMessage, into: target, flags: flags, create: request.autocreate,
                        of: user, request: request, logger: logger, fallbackToInbox: true)
                    storedInto.append(name)
                    logger.info("\(log): stored mail into mailbox '\(name)'")
                } catch {
                    logger.error("\(log): failed to store into mailbox '\(target)': \(error)")
                    return Self.outcome(of: error)
                }
            }
            if let failure = plan.failure {
                logger.info("sieve: Execution of script \(failure.script) failed, but implicit keep was successful")
            } else if actionFailed {
                logger.info("sieve: Execution of the script's actions failed, but implicit keep was successful")
            }
        }
        do {
            try await user.markSieveDuplicates(plan.duplicateMarks.map { ($0.id, $0.seconds) })
        } catch {
            // The message is delivered; the next copy of it is then not recognised as a duplicate.
            logger.warning("\(log): failed to record duplicate ids: \(error)")
        }
        ServerMetrics.delivery(result: "saved", bytes: header.count + message.size)
        return .saved(mailbox: storedInto.first ?? "")
    }

    /// Stores one copy into `name`, with the flags and keywords Sieve gave. `fallbackToInbox`: the implicit keep into
    /// the requested mailbox (LMTP's detail, LDA's -m) goes to INBOX when that fails, as a delivery without Sieve does.
    private func storeCopy(
        _ message: LMTPMessage, header: [UInt8], edited: [UInt8]?, into name: String, flags: [String], create: Bool,
        of user: MailUser, request: DeliveryRequest, logger: Logger, fallbackToInbox: Bool = false
    ) async throws -> String {
        var systemFlags: MessageFlags = []
        var keywords: [String] = []
        for flag in flags {
            if let system = MessageFlags(imapName: flag) {
                systemFlags.insert(system)
            } else if Self.isKeyword(flag), !keywords.contains(flag) {
                keywords.append(flag)
            }
        }
        let incoming: IncomingMessage
        if let edited {
            incoming = IncomingMessage(bytes: edited, flags: systemFlags, keywords: keywords)
        } else {
            incoming = try await Self.incoming(message, header: header, flags: systemFlags, keywords: keywords)
        }
        var boxRequest = request
        boxRequest.autocreate = create || request.autocreate
        do {
            let mailbox = try await destination(name, of: user, request: boxRequest)
            try await save(incoming, into: mailbox, of: user, request: request, logger: logger)
            return mailbox.name
        } catch let error where fallbackToInbox && !Self.isQuota(error) && (try? MailboxName(name))?.isInbox != true {
            logger.info("save failed to \(name): \(error)")
            try await save(incoming, into: try await user.mailbox(MailboxName.inbox.value), of: user, request: request, logger: logger)
            return MailboxName.inbox.value
        }
    }

    /// An IMAP keyword (RFC 3501 atom, no backslash); Pigeonhole ignores invalid ones.
    static func isKeyword(_ flag: String) -> Bool {
        !flag.isEmpty && flag.utf8.count <= 200
            && flag.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value < 0x7f && !"(){%*\"\\]".unicodeScalars.contains(scalar)
            }
    }

    /// A failure of the storage itself (object store, index, spool), as opposed to one of the action (no such mailbox,
    /// an invalid name, over quota).
    static func isStorageFault(_ error: any Error) -> Bool {
        switch error as? StorageError {
        case .store?, .index?, nil: true
        default: false
        }
    }

    static func isQuota(_ error: any Error) -> Bool {
        if case StorageError.quotaExceeded = error { true } else { false }
    }

    static func outcome(of error: any Error) -> DeliveryOutcome {
        if case StorageError.quotaExceeded(_, _, let text) = error { return .overQuota(text) }
        return .temporaryFailure("\(error)")
    }
}
