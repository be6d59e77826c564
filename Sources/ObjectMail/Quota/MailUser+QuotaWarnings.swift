import Config
import Foundation

/// Quota warnings run after a change to the user's mail (save, delivery, copy, move, expunge) committed, off the
/// client's path: the usage now is compared with the usage last seen, so a change that crossed a warning's limit runs
/// its script once, as Dovecot's quota_warnings_execute does at transaction commit. Changes that come close together
/// are compared as one (their combined crossing runs the warning).
extension MailUser {
    var hasQuotaWarnings: Bool { !(quota?.warnings.isEmpty ?? true) }

    /// Remembers the usage before any change, so the first change can be compared with it: at login, and before
    /// every save (`checkQuota`). Only when nothing is remembered yet: a later value could already include a change
    /// whose warning has not run.
    func primeQuotaWarnings(_ known: QuotaCount? = nil) async {
        guard hasQuotaWarnings, quotaWarningUsage == nil, let limits = quotaLimits else { return }
        if let known {
            quotaWarningUsage = known
        } else if let counted = try? await countedUsage(limits) {
            quotaWarningUsage = QuotaCount(messages: counted.messages, bytes: counted.bytes)
        }
    }

    /// Called for every change of the user's messages (`publish`): runs the warnings the change crossed.
    func quotaUsageMayHaveChanged() {
        guard hasQuotaWarnings else { return }
        quotaWarningCheckDue = true
        guard quotaWarningChecks == nil else { return }
        quotaWarningChecks = Task {
            while quotaWarningCheckDue {
                quotaWarningCheckDue = false
                await checkQuotaWarnings()
            }
            quotaWarningChecks = nil
        }
    }

    private func checkQuotaWarnings() async {
        guard let quota, let limits = quotaLimits else { return }
        let now: QuotaCount
        do {
            let counted = try await countedUsage(limits)
            now = QuotaCount(messages: counted.messages, bytes: counted.bytes)
        } catch {
            mailLogger.error("quota: could not count usage for the warnings: \(error)")
            return
        }
        guard let before = quotaWarningUsage else {
            quotaWarningUsage = now
            return
        }
        quotaWarningUsage = now
        // Dovecot runs only the first warning that matches: list them from the highest limit down.
        for warning in quota.warnings {
            guard let reason = warning.reason(before: before, after: now, limits: limits) else { continue }
            let command: String
            do {
                command = try VariableExpander.forUser(name, home: layout.home).expand(warning.command)
            } catch {
                mailLogger.error("quota: \(warning.name): \(error)")
                return
            }
            mailLogger.info("quota: Executing warning: \(command) (because \(reason))")
            let arguments = command.split(separator: " ").dropFirst().map(String.init)
            await warning.script.run(arguments, logger: mailLogger)
            return
        }
    }
}
