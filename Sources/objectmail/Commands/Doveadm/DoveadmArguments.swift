/// doveadm takes its formatter before the verb (`doveadm -f tab mailbox status …`); ArgumentParser wants a
/// subcommand's options after its name. This moves a leading `-f FORMATTER` behind the verb's words.
enum DoveadmArguments {
    /// Verbs whose second word is part of the name (`mailbox list`, `flags add`, `quota get`).
    static let groups: Set<String> = ["mailbox", "flags", "quota", "sieve"]

    static func normalized(_ arguments: [String]) -> [String] {
        guard arguments.count >= 3, arguments[0] == "-f" else { return arguments }
        let formatter = Array(arguments[0...1])
        var rest = Array(arguments.dropFirst(2))
        let depth = groups.contains(rest[0]) && rest.count > 1 ? 2 : 1
        rest.insert(contentsOf: formatter, at: depth)
        return rest
    }
}
