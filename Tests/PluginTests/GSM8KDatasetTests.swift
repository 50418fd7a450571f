import Foundation
import GSM8KTask
import RLRunSDK
import Testing

@Suite struct GSM8KDatasetTests {
    /// The real files load completely, and every reference scores 1 with the gsm8k reward when
    /// it is given back as a completion in each format the extractor knows.
    @Test(.enabled(if: gsm8kFolder != nil, "needs ../shared/data/gsm8k or RLRUN_GSM8K_DIR"))
    func realFilesLoadAndEveryReferenceScoresOne() throws {
        let dataset = try makePlugin(GSM8KDataset.self, ["path": .string(gsm8kFolder!)])
        #expect(dataset.splits == ["train", "test"])
        #expect(try dataset.count(split: "train") == 7473)
        #expect(try dataset.count(split: "test") == 1319)
        let reward = try makePlugin(GSM8KReward.self, ["mode": "strict"])
        let formats = ["#### N", "The answer is N.", "\\boxed{N}", "<answer>N</answer>"]
        for split in dataset.splits {
            let items = try (0..<dataset.count(split: split)).map { try dataset.item(split: split, index: $0) }
            let references = items.map { $0.reference! }
            #expect(references.allSatisfy { !$0.contains(",") && Double($0) != nil })
            for format in formats {
                let completions = references.map { format.replacingOccurrences(of: "N", with: $0) }
                let scores = try reward.score(RewardBatch(prompts: items.map(\.prompt), completions: completions,
                                                          references: references))
                let misses = zip(completions, scores.rewards).filter { $0.1 != 1 }.map(\.0)
                #expect(misses.isEmpty, "\(split), \(format): \(misses.prefix(5))")
            }
        }
    }

    @Test func itemsCarryTheFinalAnswerAndTheSolution() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("train.jsonl", [jsonLine(["question": "Q1?", "answer": "2*3=<<2*3=6>>6\n#### 1,006"])])
        try folder.write("test.jsonl", [jsonLine(["question": "Q2?", "answer": "#### 7"]), ""])
        let dataset = try makePlugin(GSM8KDataset.self, ["path": .string(folder.path)])
        let item = try dataset.item(split: "train", index: 0)
        #expect(item.reference == "1006")
        #expect(try JSONValue(parsing: item.metadata!)["solution"] == "2*3=<<2*3=6>>6\n#### 1,006")
        #expect(item.prompt == "Q1?\nLet's think step by step and output the final answer after \"####\".")
        #expect(item.system == nil)
        #expect(try dataset.count(split: "test") == 1)
        #expect(throws: PluginError.self) { try dataset.item(split: "test", index: 1) }
        #expect(throws: PluginError.self) { try dataset.item(split: "validation", index: 0) }
    }

    @Test func formatsAskForTheirTagsInTheSystemPrompt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("one.jsonl", [jsonLine(["question": "Q?", "answer": "#### 7"])])
        let think = try makePlugin(GSM8KDataset.self, ["path": .string(file), "format": "think"]).item(split: "train", index: 0)
        #expect(think.prompt == "Q?")
        #expect(think.system?.contains("<think> </think> and <answer> </answer>") == true)
        let reasoning = try makePlugin(GSM8KDataset.self, ["path": .string(file), "format": "reasoning"]).item(split: "train", index: 0)
        #expect(reasoning.system == "Respond in the following format:\n<reasoning>\n...\n</reasoning>\n<answer>\n...\n</answer>")
    }

    @Test func malformedLineIsNamedOrSkippedAndCounted() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try folder.write("train.jsonl", [
            jsonLine(["question": "Q1?", "answer": "#### 1"]),
            jsonLine(["question": "Q2?", "answer": "no final answer"]),
            #"{"question": "Q3?""#,
            jsonLine(["question": .null, "answer": "#### 4"]),
            jsonLine(["question": "Q5?", "answer": "#### 5"]),
        ])
        let error = try #require(throws: PluginError.self) { try makePlugin(GSM8KDataset.self, ["path": .string(folder.path)]) }
        #expect(error.message.hasPrefix("\(file) line 2: the answer does not end in '#### N'"))
        #expect(error.message.contains("skip_invalid"))
        let logged = LogLines()
        let dataset = try makePlugin(GSM8KDataset.self, ["path": .string(folder.path), "skip_invalid": true], log: logged.append)
        #expect(try dataset.count(split: "train") == 2)
        #expect(dataset.skippedLines == [file: [2, 3, 4]])
        #expect(logged.lines.count == 1 && logged.lines[0].contains("skipped 3 malformed lines"))
    }

    @Test func pathIsRequiredWithoutTheEnvironmentVariable() throws {
        guard ProcessInfo.processInfo.environment[GSM8KDataset.pathVariable] == nil else { return }
        let error = try #require(throws: PluginError.self) { try makePlugin(GSM8KDataset.self) }
        #expect(error.message.contains("gsm8k.path") && error.message.contains(GSM8KDataset.pathVariable))
        #expect(throws: PluginError.self) { try makePlugin(GSM8KDataset.self, ["path": "/no/such/folder"]) }
    }
}

/// Collects what a plugin logs.
final class LogLines: @unchecked Sendable {
    private var stored: [String] = []
    private let lock = NSLock()

    var lines: [String] { lock.withLock { stored } }

    func append(_ level: PluginHost.LogLevel, _ line: String) { lock.withLock { stored.append(line) } }
}
