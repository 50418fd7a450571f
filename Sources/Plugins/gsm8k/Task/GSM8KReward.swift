import MathAnswers
import RLRunSDK

/// GSM8K correctness: the completion's final answer (see `AnswerExtractor` for the order of
/// markers) compared by numeric value with the reference answer.
public final class GSM8KReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "gsm8k", version: "1.0.0",
        summary: "GSM8K correctness: final answer (answer tags, \\boxed, ####, 'the answer is', last number) equals the reference",
        options: [
            .choice("mode", AnswerExtractor.Mode.allCases.map(\.rawValue), default: "flexible",
                    help: "strict: explicit answer markers only; flexible: also the last number in the text"),
            .number("correct", default: 1.0, help: "reward for a correct answer"),
            .number("incorrect", default: 0.0, help: "reward for a wrong answer (DAPO uses -1)"),
            .number("no_answer", default: 0.0, help: "reward when no answer can be found"),
            .integer("tail_characters", default: 0, help: "look only at the last N characters (verl uses 300); 0 = all"),
        ],
        threadSafe: true)

    private let extractor: AnswerExtractor
    private let correct: Double
    private let incorrect: Double
    private let noAnswer: Double

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        guard let mode = AnswerExtractor.Mode(rawValue: try configuration.string("mode") ?? "flexible") else {
            throw PluginError(.config, "unknown mode")
        }
        let tail = try configuration.int("tail_characters")
        guard tail >= 0 else { throw PluginError(.config, "tail_characters must be >= 0, got \(tail)") }
        extractor = AnswerExtractor(mode: mode, tailCharacters: tail)
        correct = try configuration.double("correct")
        incorrect = try configuration.double("incorrect")
        noAnswer = try configuration.double("no_answer")
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var rewards: [Double] = []
        var accuracy: [Double] = []
        var extracted: [String] = []
        var sources: [String] = []
        for i in 0..<batch.count {
            guard let referenceText = batch.references[i] else {
                throw PluginError(.input, "completion \(i) has no reference answer; gsm8k needs the dataset's final answer")
            }
            guard let reference = AnswerExtractor.referenceAnswer(referenceText) else {
                throw PluginError(.input, "reference \(referenceText.prefix(40).debugDescription) of completion \(i) holds no number")
            }
            guard let found = extractor.extract(from: batch.completions[i]) else {
                rewards.append(noAnswer)
                accuracy.append(0)
                extracted.append("")
                sources.append("none")
                continue
            }
            let isCorrect = found.answer.matches(reference)
            rewards.append(isCorrect ? correct : incorrect)
            accuracy.append(isCorrect ? 1 : 0)
            extracted.append(found.answer.text)
            sources.append(found.source.rawValue)
        }
        return RewardScores(rewards: rewards, components: [
            "accuracy": .numbers(accuracy), "extracted": .labels(extracted), "found_by": .labels(sources),
        ])
    }
}
