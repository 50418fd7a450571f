import Foundation
import RLRunABI
import RLRunSDK
import Testing
@testable import Core

// The loader against real shared libraries: the fixture plugin built from Fixtures/test_plugin.c
// in its good and broken variants, the C example, and the shipped gsm8k plugin. Every broken
// library must give one error naming the file (or the plugin) and what to do, and leave the
// process able to go on.

/// The fixture's options as the host reads them.
private let fixtureOptions: [PluginOption] = [
    PluginOption("bonus", .number, default: 0, help: "added to every reward"),
    PluginOption("strict", .boolean, default: false, help: "echoed in the strict component"),
    PluginOption("tag", .string, default: "none", help: "echoed in the tag component"),
]

/// Expects `error` to name `file` and to say both what is wrong (`problem`) and what to do (`fix`).
private func expectExplains(_ error: PluginLoadError, file: URL, problem: String, fix: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(error.file == file.path, sourceLocation: sourceLocation)
    #expect(error.problem.contains(problem), "problem: \(error.problem)", sourceLocation: sourceLocation)
    #expect(error.fix.contains(fix), "fix: \(error.fix)", sourceLocation: sourceLocation)
    #expect(error.description.hasPrefix("plugin \(file.path): "), sourceLocation: sourceLocation)
}

@Suite(.needsCCompiler) struct PluginLoaderTests {
    let loader = PluginLoader(directories: [])

    /// The good fixture still loads and scores: a failure before leaves the process usable.
    func expectGoodFixtureStillWorks(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reward = try loader.reward(try FixturePlugins.good().path)
        #expect(try reward.score(rewardBatch(["a b"], tokens: [2])).rewards == [2], sourceLocation: sourceLocation)
    }

    // MARK: The good fixture

    @Test func goodFixtureIsDescribedAndScores() throws {
        let file = try FixturePlugins.good()
        let descriptor = try loader.descriptor(named: file.path, kind: .reward)
        #expect(descriptor.id == "fixture")
        #expect(descriptor.kind == .reward)
        #expect(descriptor.version == "0.1.0")
        #expect(descriptor.summary == "test fixture: tokens or metadata value, plus bonus")
        #expect(descriptor.options == fixtureOptions)
        #expect(descriptor.file.path == file.path)
        #expect(descriptor.label == "fixture 0.1.0 (reward, libfixture.so)")

        let log = LogRecorder()
        let reward = try PluginLoader(directories: [], host: log.host).reward(file.path, options: ["bonus": 0.5])
        #expect(log.messages == ["fixture: created"])
        #expect(reward.instance.configuration.values == ["bonus": 0.5, "strict": false, "tag": "none"])
        let scores = try reward.score(rewardBatch(["one", "two words", "x y z"], tokens: [1, 2, 3]))
        #expect(scores.rewards == [1.5, 2.5, 3.5])
        #expect(scores.components["length"] == .numbers([1, 2, 3]))
    }

    @Test func hostJSONReadersWorkFromC() throws {
        let reward = try loader.reward(try FixturePlugins.good().path, options: ["bonus": -1, "strict": true, "tag": "t-1"])
        let metadata: [String?] = [
            #"{"value": 2.5, "flag": true, "name": "abcdefghij"}"#,  // name cut to 7 bytes + NUL
            #"{"flag": false, "name": "x"}"#,
            nil,
            #"{"value": "3", "flag": 1, "name": 5}"#,                // wrong types: not found
            "not json",
            #"{"inner": {"value": 9, "flag": true}}"#,               // top-level keys only
        ]
        let scores = try reward.score(rewardBatch(Array(repeating: "c", count: 6), metadata: metadata, tokens: [10, 11, 12, 13, 14, 15]))
        #expect(scores.rewards == [1.5, 10, 11, 12, 13, 14])
        #expect(scores.components["flag"] == .numbers([1, 0, -1, -1, -1, -1]))
        #expect(scores.components["name"] == .labels(["abcdefg", "x", "", "", "", ""]))
        #expect(scores.components["tag"] == .labels(Array(repeating: "t-1", count: 6)))
        #expect(scores.components["strict"] == .numbers(Array(repeating: 1, count: 6)))
    }

    // MARK: Libraries that cannot be used

    @Test func fileMissing() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("libnothere.so")
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(missing.path) }
        expectExplains(error, file: missing, problem: "no such file", fix: "check the path")

        let byName = try #require(throws: PluginLoadError.self) {
            try PluginLoader(directories: [directory.url]).reward("nothere")
        }
        #expect(byName.file == "nothere")
        #expect(byName.problem.contains("looked for libnothere.so or nothere.so in \(directory.url.path)"))
        #expect(byName.fix.contains("RLRUN_PLUGIN_PATH"))
        try expectGoodFixtureStillWorks()
    }

    @Test func notASharedObject() throws {
        let directory = try TemporaryDirectory()
        let junk = try directory.write("libjunk.so", "this is a text file, not a shared object\n")
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(junk.path) }
        expectExplains(error, file: junk, problem: "cannot be loaded", fix: "not a shared library: rebuild the plugin")
        try expectGoodFixtureStillWorks()
    }

    @Test func missingDependency() throws {
        let directory = try TemporaryDirectory()
        let helper = directory.file("libfixturehelper.so")
        try CCompiler.sharedLibrary(from: PackagePaths.fixtureSource, to: helper, arguments: ["-DFIXTURE_HELPER_LIB"])
        let plugin = directory.file("libneedshelper.so")
        try CCompiler.sharedLibrary(from: PackagePaths.fixtureSource, to: plugin, arguments: ["-DFIXTURE_USES_HELPER"],
                                    libraries: ["-L", directory.url.path, "-lfixturehelper", "-Wl,-rpath,\(directory.url.path)"])
        try FileManager.default.removeItem(at: helper)
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(plugin.path) }
        expectExplains(error, file: plugin, problem: "libfixturehelper.so", fix: "a library it depends on is missing")
        try expectGoodFixtureStillWorks()
    }

    @Test func noEntrySymbol() throws {
        let file = try FixturePlugins.library("noentry", defines: ["FIXTURE_NO_ENTRY"])
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(file.path) }
        expectExplains(error, file: file, problem: "exports no rlrun_plugin_entry",
                       fix: "a plugin exports `const rlrun_plugin_list *rlrun_plugin_entry(void)`")
    }

    @Test(arguments: [("FIXTURE_LIST_ABI", "its plugin list"), ("FIXTURE_PLUGIN_ABI", "a plugin in it")])
    func anotherABIVersion(macro: String, what: String) throws {
        let file = try FixturePlugins.library("abi-\(macro)", defines: ["\(macro)=2"])
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(file.path) }
        expectExplains(error, file: file, problem: "\(what) was built for plugin ABI version 2; this rlrun speaks version 1",
                       fix: "rebuild the plugin against this rlrun")
        try expectGoodFixtureStillWorks()
    }

    @Test func anotherKindThanAskedFor() throws {
        let file = try FixturePlugins.good()
        let error = try #require(throws: PluginLoadError.self) { try loader.algorithm(file.path) }
        expectExplains(error, file: file, problem: "holds reward 'fixture', not an algorithm plugin", fix: "--reward")
        let dataset = try #require(throws: PluginLoadError.self) { try loader.dataset(file.path) }
        #expect(dataset.problem.contains("not a dataset plugin"))
        let masking = try #require(throws: PluginLoadError.self) { try loader.masking(file.path) }
        #expect(masking.problem.contains("not a masking plugin"))
    }

    @Test func duplicateOptionNamesAreRefusedAtLoad() throws {
        let file = try FixturePlugins.library("duplicate-option", defines: ["FIXTURE_DUPLICATE_OPTION"])
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(file.path) }
        expectExplains(error, file: file, problem: "option 'bonus'", fix: "distinct name")
        #expect(error.problem.contains("twice") || error.problem.contains("more than once"))
    }

    @Test(arguments: [
        ("null-options", "FIXTURE_NULL_OPTIONS", "plugin 'fixture' declares 3 options but its options table is NULL"),
        ("bad-id", #"FIXTURE_ID="Bad Id""#, "plugin id 'Bad Id' is not lowercase letters, digits, '-' or '_'"),
        ("unicode-id", #"FIXTURE_ID="café""#, "plugin id 'café' is not lowercase letters, digits, '-' or '_'"),
    ])
    func malformedDescriptorsAreRefused(name: String, define: String, problem: String) throws {
        let file = try FixturePlugins.library(name, defines: [define])
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(file.path) }
        #expect(error.file == file.path)
        #expect(error.problem == problem)
        #expect(!error.fix.isEmpty)
    }

    // MARK: Configuration checked by the host, before create

    @Test func unknownOption() throws {
        let file = try FixturePlugins.good()
        let log = LogRecorder()
        let error = try #require(throws: PluginLoadError.self) {
            try PluginLoader(directories: [], host: log.host).reward(file.path, options: ["bonsu": 1])
        }
        expectExplains(error, file: file, problem: "unknown option 'bonsu' for plugin 'fixture'; its options are: bonus, strict, tag",
                       fix: "rlrun plugins inspect")
        #expect(log.messages.isEmpty, "create ran for a refused configuration")
    }

    @Test func wrongOptionType() throws {
        let file = try FixturePlugins.good()
        let log = LogRecorder()
        let loader = PluginLoader(directories: [], host: log.host)
        let number = try #require(throws: PluginLoadError.self) { try loader.reward(file.path, options: ["bonus": "high"]) }
        expectExplains(number, file: file, problem: #"option 'bonus' expects a number (added to every reward); got string "high""#,
                       fix: "rlrun plugins inspect")
        let boolean = try #require(throws: PluginLoadError.self) { try loader.reward(file.path, options: ["strict": "yes"]) }
        #expect(boolean.problem.contains("option 'strict' expects a boolean"))
        let null = try #require(throws: PluginLoadError.self) { try loader.reward(file.path, options: ["tag": nil]) }
        #expect(null.problem.contains("option 'tag' expects a string"))
        #expect(log.messages.isEmpty, "create ran for a refused configuration")
    }

    // MARK: Failures inside the plugin

    @Test func factoryFails() throws {
        let file = try FixturePlugins.library("create-fails", defines: ["FIXTURE_CREATE_FAILS"])
        let error = try #require(throws: PluginLoadError.self) { try loader.reward(file.path) }
        expectExplains(error, file: file,
                       problem: "plugin 'fixture' refused to start: model file /nonexistent/model.bin is missing: set model_path to an existing file",
                       fix: "rlrun plugins inspect")
        try expectGoodFixtureStillWorks()
    }

    @Test func callErrorPropagates() throws {
        let file = try FixturePlugins.library("score-fails", defines: ["FIXTURE_SCORE_FAILS"])
        let reward = try loader.reward(file.path)
        let error = try #require(throws: PluginCallError.self) { try reward.score(rewardBatch(["a"])) }
        #expect(error.plugin == "fixture 0.1.0 (reward, libscore-fails.so)")
        #expect(error.call == "score")
        #expect(error.message == "completion 0 is not valid UTF-8: clean the input file")
        #expect(error.description == "plugin fixture 0.1.0 (reward, libscore-fails.so): score failed: completion 0 is not valid UTF-8: clean the input file")
        // The instance can be called again.
        #expect(throws: PluginCallError.self) { try reward.score(rewardBatch(["b"])) }
    }

    @Test func callErrorWithoutMessage() throws {
        let file = try FixturePlugins.library("score-silent", defines: ["FIXTURE_SCORE_NO_MESSAGE"])
        let error = try #require(throws: PluginCallError.self) { try loader.reward(file.path).score(rewardBatch(["a"])) }
        #expect(error.plugin == "fixture 0.1.0 (reward, libscore-silent.so)")
        #expect(error.message.hasPrefix("failed with status 3 and no message"))
    }

    @Test func componentArraysOfTheWrongLength() throws {
        let file = try FixturePlugins.library("short-component", defines: ["FIXTURE_SHORT_COMPONENT"])
        let error = try #require(throws: PluginCallError.self) { try loader.reward(file.path).score(rewardBatch(["a", "b"])) }
        #expect(error.plugin == "fixture 0.1.0 (reward, libshort-component.so)")
        #expect(error.message == "component 'length' has 1 values for 2 completions; each component needs one value per completion")
    }

    @Test(arguments: [("NAN", "nan"), ("INFINITY", "inf"), ("-INFINITY", "-inf")])
    func nonFiniteRewards(value: String, shown: String) throws {
        let file = try FixturePlugins.library("reward-\(value)", defines: ["FIXTURE_REWARD=\(value)"])
        let error = try #require(throws: PluginCallError.self) {
            try loader.reward(file.path).score(rewardBatch(["fine", "broken one"]))
        }
        #expect(error.call == "score")
        #expect(error.message.hasPrefix("reward 1 is \(shown) (completion: \"broken one\")"))
        #expect(error.message.hasSuffix("rewards must be finite numbers"))
    }

    // MARK: Pinned digests

    @Test func sha256Pins() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.copy(try FixturePlugins.good(), as: "libpinned.so")
        let digest = SHA256.hex(try Data(contentsOf: file))
        let wrong = String(repeating: "0", count: 64)

        let mismatch = try #require(throws: PluginLoadError.self) {
            try PluginLoader(directories: [directory.url], pins: ["pinned": wrong]).reward("pinned")
        }
        expectExplains(mismatch, file: file, problem: "sha256 is \(digest), but the configuration pins \(wrong)",
                       fix: "update the pinned digest")
        // By file name as well, and checked before the file is opened at all.
        let junk = try directory.write("libjunk.so", "not a library")
        let junkError = try #require(throws: PluginLoadError.self) {
            try PluginLoader(directories: [], pins: ["libjunk.so": wrong]).reward(junk.path)
        }
        #expect(junkError.problem.hasPrefix("sha256 is "))

        let malformed = try #require(throws: PluginLoadError.self) {
            try PluginLoader(directories: [directory.url], pins: ["pinned": "abc123"]).reward("pinned")
        }
        expectExplains(malformed, file: file, problem: "'abc123' is not a SHA-256", fix: "sha256sum")

        let matching = try PluginLoader(directories: [directory.url], pins: ["pinned": digest.uppercased()]).reward("pinned")
        #expect(try matching.score(rewardBatch(["a"], tokens: [4])).rewards == [4])
        #expect(matching.instance.descriptor.file.lastPathComponent == "libpinned.so")
        _ = try PluginLoader(directories: [], pins: ["libpinned.so": digest]).reward(file.path)
    }

    // MARK: Finding plugins

    @Test func nameResolution() throws {
        let directory = try TemporaryDirectory()
        let good = try FixturePlugins.good()
        let lib = try directory.copy(good, as: "libx.so")
        let bare = try directory.copy(good, as: "y.so")
        let path = PluginSearchPath(directories: [directory.url])
        #expect(try path.resolve("x") == lib)
        #expect(try path.resolve("x.so") == lib)
        #expect(try path.resolve("libx.so") == lib)
        #expect(try path.resolve("libx") == lib)
        #expect(try path.resolve("y") == bare)
        #expect(try path.resolve("y.so") == bare)
        #expect(throws: PluginLoadError.self) { try path.resolve("liby.so") }
        // A name with a '/' is a path, used as given whatever the search path.
        #expect(try PluginSearchPath(directories: []).resolve(lib.path) == lib)
        let missing = try #require(throws: PluginLoadError.self) { try path.resolve(directory.file("sub/libx.so").path) }
        #expect(missing.problem == "no such file")
        #expect(PluginLoader.baseName("./a/libdapo.so") == "dapo")
        #expect(PluginLoader.baseName("dapo.so") == "dapo")
        // Loading by name through the loader.
        #expect(try PluginLoader(directories: [directory.url]).reward("x").instance.descriptor.file == lib)
    }

    @Test func searchPathOrder() throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let good = try FixturePlugins.good()
        let inFirst = try first.copy(good, as: "libz.so")
        let inSecond = try second.copy(good, as: "libz.so")
        let onlySecond = try second.copy(good, as: "libw.so")

        let path = PluginSearchPath.standard(environment: [
            "RLRUN_PLUGIN_PATH": "\(first.url.path)::\(second.url.path):\(first.url.path)", "HOME": "/home/someone",
        ])
        let executableDirectory = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().standardizedFileURL.path
        #expect(path.directories.map(\.standardizedFileURL.path)
            == [first.url.path, second.url.path, executableDirectory, "/home/someone/.rlrun/plugins"])
        #expect(try path.resolve("z") == inFirst)
        #expect(try path.resolve("w") == onlySecond)
        let swapped = PluginSearchPath.standard(environment: ["RLRUN_PLUGIN_PATH": "\(second.url.path):\(first.url.path)"])
        #expect(try swapped.resolve("z") == inSecond)
        #expect(swapped.directories.count == 3)
        // Without the variable: the executable's folder, then ~/.rlrun/plugins.
        #expect(PluginSearchPath.standard(environment: ["HOME": "/h"]).directories.map(\.path)
            == [executableDirectory, "/h/.rlrun/plugins"])
    }

    @Test func discoverListsPluginsAndReportsBrokenLibraries() throws {
        let directory = try TemporaryDirectory()
        try directory.copy(try FixturePlugins.good(), as: "libgood.so")
        try directory.copy(try FixturePlugins.library("noentry", defines: ["FIXTURE_NO_ENTRY"]), as: "libnotaplugin.so")
        try directory.copy(try FixturePlugins.library("abi-FIXTURE_LIST_ABI", defines: ["FIXTURE_LIST_ABI=2"]), as: "libold.so")
        try directory.write("libjunk.so", "junk")
        try directory.write("README.txt", "not a library")
        let (plugins, failures) = PluginLoader(directories: [directory.url]).discover()
        #expect(plugins.map(\.id) == ["fixture"])
        #expect(plugins.map(\.file.lastPathComponent) == ["libgood.so"])
        #expect(failures.map { URL(fileURLWithPath: $0.file).lastPathComponent } == ["libjunk.so", "libold.so"])
        #expect(failures.allSatisfy { !$0.fix.isEmpty })
    }

    // MARK: The C example

    @Test func cExampleScoresWithOptions() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("libkeyword.so")
        // The line of Examples/reward-plugin-c/build.sh, into a temporary folder.
        try CCompiler.sharedLibrary(from: PackagePaths.keywordExample, to: file, arguments: ["-O2", "-Wall", "-Wextra"])
        let loader = PluginLoader(directories: [directory.url])
        let descriptor = try loader.descriptor(named: "keyword", kind: .reward)
        #expect(descriptor.id == "keyword")
        #expect(descriptor.options.map(\.name) == ["keyword", "length_budget", "penalty_per_token"])

        // Defaults: the reference is the keyword; 0.001 per token over 200.
        let byReference = try loader.reward("keyword")
        let scores = try byReference.score(rewardBatch(["so it is 42", "no idea", "42 after a long story"],
                                                       references: ["42", "42", "42"], tokens: [4, 2, 250]))
        expectClose(scores.rewards, [1, 0, 0.95])
        #expect(scores.components.isEmpty)

        let byKeyword = try loader.reward("keyword", options: ["keyword": "yes", "length_budget": 3, "penalty_per_token": 0.25])
        expectClose(try byKeyword.score(rewardBatch(["yes", "yes yes yes yes yes", "no"], tokens: [1, 5, 1])).rewards, [1, 0.5, 0])

        let noReference = try #require(throws: PluginCallError.self) { try byReference.score(rewardBatch(["text"])) }
        #expect(noReference.message == "item has no reference and no keyword option is set")
        let negative = try #require(throws: PluginLoadError.self) { try loader.reward("keyword", options: ["length_budget": -1]) }
        #expect(negative.problem.contains("length_budget must be >= 0"))
    }
}

/// Plugins that need no C compiler: the shipped gsm8k library and a Swift plugin exported in
/// this process.
@Suite struct PluginLoaderShippedTests {
    @Test func shippedGSM8KPlugin() throws {
        let loader = PluginLoader()
        let descriptor = try loader.descriptor(named: "gsm8k", kind: .reward)
        #expect(descriptor.id == "gsm8k")
        #expect(descriptor.kind == .reward)
        #expect(descriptor.version == "1.0.0")
        #expect(descriptor.file.lastPathComponent == "libgsm8k.so")
        #expect(descriptor.flags & UInt32(RLRUN_FLAG_THREAD_SAFE) != 0)
        #expect(descriptor.options.map(\.name) == ["mode", "correct", "incorrect", "no_answer", "tail_characters"])
        #expect(descriptor.options[0].type == .choice(["strict", "flexible"]))
        #expect(descriptor.options[0].defaultValue == "flexible")
        #expect(descriptor.options[4].type == .integer)

        let completions = ["3 * 6 = 18 dollars.\n#### 18", "The answer is 1,234.", "I think it's 7", "no idea"]
        let references = ["She pays 3 * 6 = <<3*6=18>>18 dollars.\n#### 18", "1234", "8", "5"]
        let flexible = try loader.reward("gsm8k", options: ["incorrect": -1, "no_answer": -0.5])
        let scores = try flexible.score(rewardBatch(completions, references: references))
        #expect(scores.rewards == [1, 1, -1, -0.5])
        #expect(scores.components == [
            "accuracy": .numbers([1, 1, 0, 0]),
            "extracted": .labels(["18", "1,234", "7", ""]),
            "found_by": .labels(["####", "answer-is", "last-number", "none"]),
        ])
        let strict = try loader.reward("gsm8k", options: ["mode": "strict"])
        #expect(try strict.score(rewardBatch(completions, references: references)).rewards == [1, 1, 0, 0])

        let noReference = try #require(throws: PluginCallError.self) { try strict.score(rewardBatch(["#### 3"])) }
        #expect(noReference.plugin.hasPrefix("gsm8k 1.0.0 (reward, libgsm8k.so)"))
        #expect(noReference.message.contains("has no reference answer"))
        let badMode = try #require(throws: PluginLoadError.self) { try loader.reward("gsm8k", options: ["mode": "lenient"]) }
        #expect(badMode.problem.contains("must be one of strict, flexible"))
    }

    @Test func wrongNumberOfRewardsFromASwiftPlugin() throws {
        // A C plugin cannot return too few rewards (the host allocates the array); a Swift
        // plugin can, and the SDK must turn it into an error.
        let reward = try InProcessPlugins.reward("sdk-faulty", options: ["fault": "too-few"])
        let error = try #require(throws: PluginCallError.self) { try reward.score(rewardBatch(["a", "b", "c"])) }
        #expect(error.plugin == "sdk-faulty 0.0.1 (reward, libsdk-tests.so)")
        #expect(error.message.contains("returned 2 rewards for 3 completions; score must return one reward per completion"))
    }
}

/// The Swift example is its own package depending on rlrun's SDK: built here with SwiftPM, then
/// loaded without rebuilding rlrun.
@Suite(.serialized) struct SwiftExamplePluginTests {
    @Test(.timeLimit(.minutes(10))) func swiftExampleBuildsAndLoads() throws {
        let package = PackagePaths.root.appendingPathComponent("Examples/reward-plugin-swift")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-swift-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--package-path", package.path, "--scratch-path", scratch.path]
        let output = Pipe()
        build.standardOutput = output
        build.standardError = output
        try build.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        build.waitUntilExit()
        try #require(build.terminationStatus == 0, "swift build of the example failed:\n\(log.suffix(2000))")

        let library = scratch.appendingPathComponent("debug/liblength-band.so")
        let reward = try PluginLoader().reward(library.path, options: ["min_tokens": 2, "max_tokens": 4, "slack": 2])
        #expect(reward.instance.descriptor.id == "length-band")
        let scores = try reward.score(RewardBatch(prompts: ["", "", ""], completions: ["a", "b", "c"], references: [nil, nil, nil],
                                                  completionTokens: [3, 5, 8]))
        #expect(scores.rewards == [1, 0.5, 0])
    }
}
