extension PipelineRegistry {
    /// Builds the store a Dovecot lib-fs string describes, e.g.
    /// `fscache:1G:/var/cache/mails:compress:gz:6:s3:https://KEY:SECRET@host/bucket/?region=x`.
    /// Wrappers take their own colon-separated arguments and the rest of the string is their parent;
    /// a terminal driver takes the whole rest (URLs contain colons).
    public func makeStore(_ pipeline: String, context: PipelineContext = PipelineContext()) throws -> any ObjectStore {
        var wrappers: [@Sendable (any ObjectStore) -> any ObjectStore] = []
        var rest = Substring(pipeline)
        func position(_ index: Substring.Index) -> Int { pipeline.distance(from: pipeline.startIndex, to: index) + 1 }

        // Parse outside-in so that the first problem in the string is the one reported.
        while true {
            let nameStart = rest.startIndex
            guard !rest.isEmpty else {
                throw PipelineError.empty
            }
            let colon = rest.firstIndex(of: ":")
            let name = String(rest[..<(colon ?? rest.endIndex)])
            guard let entry = entries[name] else {
                throw PipelineError.unknownDriver(name: name, position: position(nameStart), known: entries.keys.sorted())
            }
            rest = colon.map { rest[rest.index(after: $0)...] } ?? rest[rest.endIndex...]

            switch entry {
            case .driver(let argumentName, let factory):
                guard !rest.isEmpty else {
                    throw PipelineError.missingArgument(driver: name, argument: argumentName, position: position(rest.startIndex))
                }
                let store: any ObjectStore
                do {
                    store = try factory(String(rest), context)
                } catch let error as PipelineError {
                    throw error
                } catch {
                    let detail = PipelineError.scrub("\(error)", credentialsOf: String(rest))
                    throw PipelineError.driverFailed(driver: name, position: position(rest.startIndex), detail: detail)
                }
                return wrappers.reversed().reduce(store) { parent, wrap in wrap(parent) }

            case .wrapper(let argumentNames, let factory):
                var values: [String] = []
                var positions: [Int] = []
                for (index, argumentName) in argumentNames.enumerated() {
                    guard let end = rest.firstIndex(of: ":") else {
                        guard !rest.isEmpty else {
                            throw PipelineError.missingArgument(driver: name, argument: argumentName, position: position(rest.startIndex))
                        }
                        // The string ends inside the arguments: name what is missing after this value.
                        if index == argumentNames.count - 1 {
                            throw PipelineError.missingParent(driver: name, position: position(rest.endIndex))
                        }
                        throw PipelineError.missingArgument(driver: name, argument: argumentNames[index + 1], position: position(rest.endIndex))
                    }
                    values.append(String(rest[..<end]))
                    positions.append(position(rest.startIndex))
                    rest = rest[rest.index(after: end)...]
                }
                do {
                    wrappers.append(try factory(values, context))
                } catch let error as PipelineArgumentError {
                    let index = min(max(0, error.index), argumentNames.count - 1)
                    throw PipelineError.badArgument(
                        driver: name, argument: argumentNames[index], position: positions[index],
                        value: PipelineError.redacted(values[index]), expected: error.expected)
                }
                if rest.isEmpty {
                    throw PipelineError.missingParent(driver: name, position: position(rest.startIndex))
                }
            }
        }
    }
}
