import Foundation
import Testing
@testable import Core
import RLRunSDK

/// A few prompts, as a dataset.
private final class Prompts: Dataset {
    let prompts: [String]
    init(_ prompts: [String]) { self.prompts = prompts }
    var splits: [String] { ["train"] }
    func count(split: String) throws -> Int { prompts.count }
    func item(split: String, index: Int) throws -> DatasetItem { DatasetItem(prompt: prompts[index]) }
}

/// A random tiny character-level model folder: it babbles, so its two samples differ.
private func babblingModel(in folder: ScratchFolder) throws -> URL {
    let url = folder.file("policy")
    let model = try Transformer(configuration: tinyBackbone, weights: .random(generator: Generator(seed: 1), std: 0.5,
                                                                                dtype: .float32, device: .cpu))
    try model.save(to: url)
    try CharacterTokenizer.standard.jsonData().write(to: url.appendingPathComponent("tokenizer.json"))
    return url
}

private func lines(_ url: URL) throws -> [JSONValue] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONValue(parsing: String($0)) }
}

@Suite struct PreferenceCollectorTests {
    @Test func recordsChoicesTiesAndSkipsFromScriptedAnswers() throws {
        let folder = try ScratchFolder("collect")
        let model = try ModelFolder(babblingModel(in: folder))
        let dataset = Prompts(["p1", "p2", "p3", "p4", "p5"])
        var settings = PreferenceCollector.Settings()
        settings.maxNewTokens = 8
        let collector = PreferenceCollector(folder: model, dataset: dataset, settings: settings)
        let output = folder.file("prefs.jsonl")
        var answers = ["1", "what?", "2", "t", "s", "q"][...]
        var shown = ""
        let tally = try collector.run(output: output, readLine: { answers.popFirst() }, show: { shown += $0 })

        #expect(tally == PreferenceCollector.Tally(asked: 4, recorded: 2, ties: 1, skipped: 1, quit: true))
        #expect(answers.isEmpty)
        #expect(shown.contains("Prompt 1 of 5") && shown.contains("[1]") && shown.contains("[2]"))
        #expect(shown.contains("'what?' is not an answer."))
        let records = try lines(output)
        #expect(records.map { $0["prompt"]?.stringValue } == ["p1", "p2", "p3"])
        #expect(records.map { $0["tie"] } == [nil, nil, .bool(true)])
        // What was shown is what was recorded: sample 1 chosen for p1, sample 2 for p2.
        for (record, choice) in zip(records.prefix(2), [1, 2]) {
            let chosen = try #require(record["chosen"]?.stringValue), rejected = try #require(record["rejected"]?.stringValue)
            #expect(chosen != rejected)
            let block = shown.components(separatedBy: "Prompt ").first { $0.contains("\n\(record["prompt"]!.stringValue!)\n") }!
            #expect(block.components(separatedBy: "[\(choice)] ").count == 2 && block.contains(chosen) && block.contains(rejected))
        }

        // The file is what reward-model training reads: two pairs, the tie left out.
        let contents = try PreferenceFile.load(output.path)
        #expect(contents.pairs.count == 2 && contents.ties == 1)

        // Running again resumes: answered prompts are not asked again; the end of input quits.
        var more = ["2"][...]
        let again = try collector.run(output: output, readLine: { more.popFirst() }, show: { _ in })
        #expect(again.alreadyAnswered == 3 && again.recorded == 1 && again.quit)
        #expect(try lines(output).map { $0["prompt"]?.stringValue } == ["p1", "p2", "p3", "p4"])
    }

    @Test func pipedAnswersThroughTheBinary() throws {
        let folder = try ScratchFolder("collect-cli")
        let model = try babblingModel(in: folder)
        let prompts = try folder.write("prompts.jsonl", "{\"prompt\": \"first\"}\n{\"prompt\": \"second\"}\n{\"prompt\": \"third\"}\n")
        let output = folder.file("prefs.jsonl")
        let binary = try #require(rlrunBinary(), "the rlrun binary is built next to the test binary")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["preferences", "collect", "--model", model.path, "--data", prompts.path, "--out", output.path,
                             "--max-new-tokens", "8", "--seed", "4"]
        let input = Pipe(), stdout = Pipe()
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        input.fileHandleForWriting.write(Data("2\nt\n".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("[DONE] 1 preference recorded, 1 tie, 0 skipped (quit early)"), "\(text)")
        let records = try lines(output)
        #expect(records.map { $0["prompt"]?.stringValue } == ["first", "second"])
        #expect(records[1]["tie"] == .bool(true))
    }
}

/// `rlrun` in the folder of the running test binary, where `swift build` puts it.
private func rlrunBinary() -> URL? {
    guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    let url = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("rlrun")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}
