import Foundation
import ObjectMail
import Sieve

extension ManageSieveSession {
    /// After login: the script commands (RFC 5804 §2.3–§2.13) on the user's personal scripts in the bucket.
    func authenticated(_ command: ManageSieveCommand, user: SessionLogin.LoggedInUser) async {
        let mail = user.mail
        do {
            switch command {
            case .authenticate, .startTLS:
                badCommand("Error in MANAGESIEVE command \(command.name): Unknown command.")
            case .unauthenticate:
                unauthenticate(user)
            case .haveSpace(let name, let size):
                guard (try? SieveScriptName.validate(name)) != nil else { return respond(.no, "Invalid script name.") }
                guard try await quotaAllows(name: name, size: size, user: mail) else { return }
                respond(.ok, "Putscript would succeed.")
            case .putScript(let name, let script):
                try SieveScriptName.validate(name)
                guard try await quotaAllows(name: name, size: script.utf8.count, user: mail) else { return }
                guard compiles(script, name: name) else { return }
                try await mail.putSieveScript(named: name, text: script)
                respond(.ok, "PUTSCRIPT completed.")
            case .checkScript(let script):
                guard script.utf8.count <= configuration.limits.maxScriptSize else {
                    return respond(.no, code: "QUOTA/MAXSIZE", "Script is too large (max \(configuration.limits.maxScriptSize) bytes).")
                }
                guard compiles(script, name: nil) else { return }
                respond(.ok, "Script checked successfully.")
            case .listScripts:
                for entry in try await mail.sieveScripts() {
                    writeString(entry.name)
                    output.writeString(entry.active ? " ACTIVE\r\n" : "\r\n")
                }
                respond(.ok, "Listscripts completed.")
            case .setActive(let name):
                if name.isEmpty {
                    try await mail.deactivateSieveScripts()
                    respond(.ok, "Active script is now deactivated.")
                } else {
                    try await mail.activateSieveScript(named: name)
                    respond(.ok, "Setactive completed.")
                }
            case .getScript(let name):
                guard let text = try await mail.sieveScript(named: name) else { throw SieveStorageError.scriptNotFound(name) }
                output.writeString("{\(text.utf8.count)}\r\n")
                output.writeString(text)
                output.writeString("\r\n")
                respond(.ok, "Getscript completed.")
            case .deleteScript(let name):
                try await mail.deleteSieveScript(named: name, evenIfActive: false)
                respond(.ok, "Deletescript completed.")
            case .renameScript(let old, let new):
                guard (try? SieveScriptName.validate(new)) != nil else { return respond(.no, "Invalid new Sieve script name `\(new)'.") }
                try await mail.renameSieveScript(named: old, to: new)
                respond(.ok, "Renamescript completed.")
            case .capability, .noop, .logout:
                common(command)
            }
        } catch let error as SieveStorageError {
            switch error {
            case .scriptNotFound(let name): respond(.no, code: "NONEXISTENT", "Sieve script `\(name)' not found")
            case .scriptActive: respond(.no, code: "ACTIVE", "Cannot delete the active Sieve script.")
            case .scriptExists: respond(.no, code: "ALREADYEXISTS", "A sieve script with that name already exists.")
            case .invalidName(let name): respond(.no, "Invalid Sieve script name `\(name)'.")
            case .corrupt:
                logger.error("sieve storage: \(error)")
                respond(.no, code: "TRYLATER", "Internal error occurred. Refer to server log for more information.")
            }
        } catch {
            logger.error("sieve storage: \(error)")
            respond(.no, code: "TRYLATER", "Internal error occurred. Refer to server log for more information.")
        }
    }

    /// Pigeonhole's quota checks before a script of `size` bytes is stored as `name`: size, then count (a new name),
    /// then the total with the replaced script's size taken off. Answers NO itself when refused.
    private func quotaAllows(name: String, size: Int, user: MailUser) async throws -> Bool {
        if size > configuration.limits.maxScriptSize {
            respond(.no, code: "QUOTA/MAXSIZE", "Script is too large (max \(configuration.limits.maxScriptSize) bytes).")
            return false
        }
        guard configuration.maxScripts > 0 || configuration.maxStorage > 0 else { return true }
        let sizes = try await user.sieveScriptSizes()
        if configuration.maxScripts > 0, sizes[name] == nil, sizes.count >= configuration.maxScripts {
            respond(.no, code: "QUOTA/MAXSCRIPTS", "Script count quota exceeded (max \(configuration.maxScripts) scripts).")
            return false
        }
        if configuration.maxStorage > 0 {
            let total = sizes.filter { $0.key != name }.values.reduce(size, +)
            if total > configuration.maxStorage {
                respond(.no, code: "QUOTA/MAXSTORAGE", "Script storage quota exceeded (max \(configuration.maxStorage) bytes).")
                return false
            }
        }
        return true
    }

    /// Compiles as delivery will, with the user's extensions; a failure is answered as Pigeonhole words it (PUTSCRIPT
    /// prefixes the script's name), with at most `managesieve_max_compile_errors` errors.
    private func compiles(_ script: String, name: String?) -> Bool {
        do {
            _ = try SieveCompiler.compile(script, name: name ?? "script", limits: configuration.limits, extensions: configuration.extensions)
            return true
        } catch {
            let prefix = name.map { "\($0): " } ?? ""
            // Pigeonhole ends each message with a full stop. The compiler stops at the first error, so the one error
            // is within any managesieve_max_compile_errors (0: no limit).
            var lines = [prefix + error.description + "."]
            let stage = SieveCompiler.parses(script, limits: configuration.limits) ? "validation" : "parse"
            lines.append(prefix + "error: \(stage) failed.")
            respond(.no, lines.joined(separator: "\r\n") + "\r\n")
            return false
        }
    }
}

extension ManageSieveCommand {
    var name: String {
        switch self {
        case .authenticate: "AUTHENTICATE"
        case .startTLS: "STARTTLS"
        case .logout: "LOGOUT"
        case .capability: "CAPABILITY"
        case .haveSpace: "HAVESPACE"
        case .putScript: "PUTSCRIPT"
        case .listScripts: "LISTSCRIPTS"
        case .setActive: "SETACTIVE"
        case .getScript: "GETSCRIPT"
        case .deleteScript: "DELETESCRIPT"
        case .renameScript: "RENAMESCRIPT"
        case .checkScript: "CHECKSCRIPT"
        case .noop: "NOOP"
        case .unauthenticate: "UNAUTHENTICATE"
        }
    }
}
