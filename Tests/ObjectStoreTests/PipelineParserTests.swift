import ObjectStore
import Testing

@Suite struct PipelineParserTests {
    @Test func buildsWrappersAroundTheTerminalDriver() throws {
        let store = try PipelineRegistry.builtIn.makeStore("compress:maybe-gz:6:randomfail:all=10,read=30:posix:/var/objects")
        let compress = try #require(store as? CompressObjectStore)
        #expect(compress.method == .maybeGz)
        #expect(compress.level == 6)
        let randomFail = try #require(compress.parent as? RandomFailObjectStore)
        #expect(randomFail.rates.percent[.read] == 30)
        #expect(randomFail.rates.percent[.write] == 10)
        let posix = try #require(randomFail.parent as? PosixObjectStore)
        #expect(posix.root == "/var/objects")
    }

    @Test func terminalDriverTakesTheRestIncludingColons() throws {
        // A stand-in for s3, registered the way the lead registers the real one.
        final class Captured: @unchecked Sendable { var argument = "" }
        let captured = Captured()
        let registry = PipelineRegistry.builtIn.registering(
            "s3",
            .driver(argument: "URL") { argument, _ in
                captured.argument = argument
                return PosixObjectStore(root: "/unused")
            })
        let store = try registry.makeStore("compress:gz:6:s3:https://KEY:SECRET@host/bucket/?region=x&a=b:c")
        #expect(captured.argument == "https://KEY:SECRET@host/bucket/?region=x&a=b:c")
        #expect(store is CompressObjectStore)
    }

    @Test func expandsVariablesInDirectories() throws {
        let context = PipelineContext(expandVariables: { $0.replacingOccurrences(of: "%u", with: "alice") })
        let store = try PipelineRegistry.builtIn.makeStore("posix:/srv/%u/objects", context: context)
        #expect((store as? PosixObjectStore)?.root == "/srv/alice/objects")
    }

    @Test(arguments: [
        ("", PipelineError.empty),
        ("posix", .missingArgument(driver: "posix", argument: "root directory", position: 6)),
        ("posix:", .missingArgument(driver: "posix", argument: "root directory", position: 7)),
        ("compress:gz:6", .missingParent(driver: "compress", position: 14)),
        ("compress:gz:6:", .missingParent(driver: "compress", position: 15)),
        ("compress:gz", .missingArgument(driver: "compress", argument: "level", position: 12)),
        ("compress:bz2:6:posix:/x", .badArgument(driver: "compress", argument: "method", position: 10, value: "bz2", expected: "gz or maybe-gz")),
        (
            "compress:gz:10:posix:/x",
            .badArgument(
                driver: "compress", argument: "level", position: 13, value: "10",
                expected: "a compression level from 1 to 9")
        ),
        (
            "randomfail:read=200:posix:/x",
            .badArgument(
                driver: "randomfail", argument: "failure rates", position: 12, value: "read=200",
                expected: "name=PERCENT pairs separated by commas, names among all, read, write, delete, stat, iter, copy, metadata, exists; percent 0-100")
        )
    ])
    func rejectsBadStrings(pipeline: String, expected: PipelineError) {
        #expect(throws: expected) { try PipelineRegistry.builtIn.makeStore(pipeline) }
    }

    @Test func unknownDriverNamesPositionAndChoices() {
        #expect(throws: PipelineError.unknownDriver(name: "zstd", position: 15, known: ["compress", "posix", "randomfail", "s3"])) {
            try PipelineRegistry.builtIn.makeStore("compress:gz:6:zstd:/x")
        }
    }

    @Test func driverErrorsAreScrubbedOfTheURLCredentials() {
        struct Careless: Error, CustomStringConvertible {
            var description: String
        }
        let registry = PipelineRegistry.builtIn.registering(
            "s3",
            .driver(argument: "URL") { argument, _ in
                throw Careless(description: "cannot parse \(argument) (secret wJalr/XUtn+FEMI)")
            })
        do {
            _ = try registry.makeStore("s3:https://AKIDEXAMPLE:wJalr%2FXUtn%2BFEMI@host/bucket/")
            Issue.record("accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("position 4"))
            #expect(!text.contains("AKIDEXAMPLE") && !text.contains("wJalr%2FXUtn%2BFEMI") && !text.contains("wJalr/XUtn+FEMI"), "\(text)")
        }
    }

    @Test func errorsNeverShowCredentials() {
        // An unknown driver, and a URL the s3 driver refuses: neither may echo the credentials.
        let pipelines = [
            "compress:gz:6:s4:https://AKIDEXAMPLE:wJalrXUtnFEMI@host/bucket/",
            "compress:gz:6:s3:https://AKIDEXAMPLE:wJalrXUtnFEMI@host/bucket/?no_such_parameter=1",
            "compress:https://AKIDEXAMPLE:wJalrXUtnFEMI@host/bucket/",
            "https://AKIDEXAMPLE:wJalrXUtnFEMI@host/bucket/"
        ]
        for pipeline in pipelines {
            do {
                _ = try PipelineRegistry.builtIn.makeStore(pipeline)
                Issue.record("\(pipeline) was accepted")
            } catch {
                #expect(!"\(error)".contains("wJalrXUtnFEMI"), "\(error)")
                #expect(!"\(error)".contains("AKIDEXAMPLE"), "\(error)")
            }
        }
    }
}
