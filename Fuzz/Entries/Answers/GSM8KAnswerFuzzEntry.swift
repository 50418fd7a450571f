import Foundation
import GSM8KTask
import MathAnswers
import RLRunSDK

/// What the GSM8K answer fuzzer does with one input, shared with the regression tests: the
/// input, read as UTF-8, goes through every reading of a final answer that rlrun makes. As a
/// completion: each extractor mode, with and without verl's 300-character tail, every stated
/// answer, calculator annotations and written-out computations. As a GSM8K solution: the gold
/// answer, the reference, and a dataset line whose answer it is. And through the gsm8k reward
/// as the host calls it, both as the completion and as the reference.
public enum GSM8KAnswerFuzzEntry {
    /// Throws only where the plugin refuses the input (a dataset line or a reference without a number).
    public static func run(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        for mode in AnswerExtractor.Mode.allCases {
            for tail in [0, 300] {
                if let found = AnswerExtractor(mode: mode, tailCharacters: tail).extract(from: text) {
                    _ = found.answer.matches(found.answer)
                }
            }
        }
        _ = AnswerExtractor.statedAnswers(in: text)
        _ = AnswerExtractor.goldAnswer(fromSolution: text)
        _ = AnswerExtractor.referenceAnswer(text)
        for annotation in CalculatorAnnotation.all(in: text) { _ = (annotation.verdict, annotation.resultValue) }
        _ = Computations.results(in: text)
        _ = ArithmeticExpression.evaluate(text)

        let reward = try defaultReward()
        let scores = try reward.score(RewardBatch(prompts: [""], completions: [text], references: ["72"]))
        precondition(scores.rewards.count == 1, "one completion scored as \(scores.rewards.count)")
        // As the reference it may hold no number, which the reward refuses by throwing.
        _ = try? reward.score(RewardBatch(prompts: [""], completions: ["#### 72"], references: [text]))
        try datasetLine(answer: text)
    }

    /// The reward with its defaults, made the way the host makes it (cheap, so once per input).
    private static func defaultReward() throws -> GSM8KReward {
        let configuration = try PluginConfiguration(pluginID: GSM8KReward.info.id, options: GSM8KReward.info.options, given: [:])
        return try GSM8KReward(configuration: configuration, host: PluginHost())
    }

    /// Loads a one-line GSM8K file whose `answer` is `answer`: the dataset's own parsing of it.
    private static func datasetLine(answer: String) throws {
        let line = JSONValue.object(["question": "How many?", "answer": .string(answer)]).jsonText
        // A file per call: the test suite replays inputs on several threads of one process.
        let scratchFile = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-gsm8k-fuzz-\(UUID().uuidString).jsonl")
        try Data((line + "\n").utf8).write(to: scratchFile)
        defer { try? FileManager.default.removeItem(at: scratchFile) }
        let configuration = try PluginConfiguration(
            pluginID: GSM8KDataset.info.id, options: GSM8KDataset.info.options, given: ["path": .string(scratchFile.path)])
        _ = try GSM8KDataset(configuration: configuration, host: PluginHost())
    }
}
