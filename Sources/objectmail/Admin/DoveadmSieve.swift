import ObjectMail

/// doveadm sieve's verbs on a user's personal scripts (`MailUser+SieveScripts`); `put` gets a script the command line
/// has compiled already.
enum DoveadmSieve {
    static func run(_ request: DoveadmRequest, user: MailUser, into response: inout DoveadmResponse) async throws {
        let arguments = request.arguments
        switch request.command {
        case "sieve put":
            guard arguments.count == 2 else { throw DoveadmService.Usage(message: "sieve put: NAME, and the script on stdin") }
            try await user.putSieveScript(named: arguments[0], text: arguments[1])
            if request.options["a"] != nil { try await user.activateSieveScript(named: arguments[0]) }
        case "sieve activate":
            guard arguments.count == 1 else { throw DoveadmService.Usage(message: "sieve activate: NAME") }
            try await user.activateSieveScript(named: arguments[0])
        case "sieve deactivate":
            try await user.deactivateSieveScripts()
        case "sieve list":
            // doveadm prints both columns without titles: `NAME ACTIVE`, or the name alone.
            response.fields = ["script", "active"]
            response.hiddenTitles = ["script", "active"]
            response.rows = try await user.sieveScripts().map { [$0.name, $0.active ? "ACTIVE" : ""] }
        case "sieve get":
            guard arguments.count == 1 else { throw DoveadmService.Usage(message: "sieve get: NAME") }
            guard let text = try await user.sieveScript(named: arguments[0]) else { throw SieveStorageError.scriptNotFound(arguments[0]) }
            response.fields = ["script"]
            response.hiddenTitles = ["script"]
            response.rows = [[text]]
        case "sieve delete":
            guard !arguments.isEmpty else { throw DoveadmService.Usage(message: "sieve delete: NAME …") }
            for name in arguments {
                await DoveadmService.attempt("Failed to delete Sieve script \(name)", into: &response) {
                    try await user.deleteSieveScript(named: name, evenIfActive: request.options["a"] != nil)
                }
            }
        default:
            throw DoveadmService.Usage(message: "unknown command '\(request.command)'")
        }
    }

    static func describe(_ error: SieveStorageError) -> (Int32, String) {
        switch error {
        case .scriptNotFound: (DoveadmExit.notFound, error.description)
        case .scriptActive, .invalidName, .scriptExists: (DoveadmExit.dataError, error.description)
        case .corrupt: (DoveadmExit.temporaryFailure, error.description)
        }
    }
}
