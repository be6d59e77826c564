extension SieveCompiler {
    /// Whether a script's syntax is sound (Pigeonhole's parser), whatever its commands mean: a compile error of a
    /// script that parses is a validation error, which Pigeonhole ends with `error: validation failed.` rather than
    /// `error: parse failed.`.
    public static func parses(_ text: String, limits: SieveLimits = .default) -> Bool {
        do {
            var parser = try Parser(text, maxNesting: limits.maxNesting)
            _ = try parser.parseScript()
            return true
        } catch {
            return false
        }
    }
}
