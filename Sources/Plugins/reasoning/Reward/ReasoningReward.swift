import MathAnswers
import RLRunSDK
import TextRepetition

/// Heuristics of reasoning quality that need no reference: enough steps, calculator
/// annotations that compute what they claim, a length within a band, and no looping text.
/// The reward is the weighted mean of the step, arithmetic and length scores, less the
/// share of repeated n-grams times its weight.
public final class ReasoningReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "reasoning", version: "1.0.0",
        summary: "reasoning quality: steps, calculator annotations <<a*b=c>> checked, length band, repeated n-gram penalty",
        options: [
            .integer("target_steps", default: 3, help: "steps (lines or sentences with a number) for full step credit"),
            .number("unchecked_arithmetic", default: 0.5,
                    help: "arithmetic score of a completion with no calculator annotation to check"),
            .integer("min_length", default: 20, help: "shortest completion (tokens, else words) with full length credit"),
            .integer("max_length", default: 400, help: "longest completion (tokens, else words) with full length credit"),
            .integer("ngram", default: 4, help: "n of the word n-grams whose repetition is penalised"),
            .number("steps_weight", default: 1, help: "weight of the step score in the mean"),
            .number("arithmetic_weight", default: 1, help: "weight of the arithmetic score (correct / checked computations)"),
            .choice("arithmetic_check", ["annotations", "written"], default: "annotations",
                    help: "annotations: the calculator annotations <<a*b=c>>; written: every plain computation a = b written out, column steps like 4 + 5 = 9 included"),
            .number("length_weight", default: 1, help: "weight of the length score"),
            .number("repetition_weight", default: 1, help: "subtracted times the share of repeated n-grams"),
        ],
        threadSafe: true)

    private let targetSteps: Int
    private let uncheckedArithmetic: Double
    private let band: LengthBand
    private let ngram: Int
    private let weights: (steps: Double, arithmetic: Double, length: Double)
    private let repetitionWeight: Double
    private let checksWritten: Bool

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        targetSteps = try configuration.int("target_steps")
        uncheckedArithmetic = try configuration.double("unchecked_arithmetic")
        band = LengthBand(minimum: try configuration.int("min_length"), maximum: try configuration.int("max_length"))
        ngram = try configuration.int("ngram")
        weights = (try configuration.double("steps_weight"), try configuration.double("arithmetic_weight"),
                   try configuration.double("length_weight"))
        repetitionWeight = try configuration.double("repetition_weight")
        checksWritten = try configuration.string("arithmetic_check") == "written"
        guard targetSteps >= 1, ngram >= 1 else { throw PluginError(.config, "target_steps and ngram must be at least 1") }
        guard band.minimum >= 0, band.minimum <= band.maximum, band.maximum > 0 else {
            throw PluginError(.config, "need 0 <= min_length <= max_length and max_length > 0; got \(band.minimum) and \(band.maximum)")
        }
        guard [weights.steps, weights.arithmetic, weights.length].allSatisfy({ $0 >= 0 }),
              weights.steps + weights.arithmetic + weights.length > 0 else {
            throw PluginError(.config, "steps_weight, arithmetic_weight and length_weight must be >= 0 with a positive sum")
        }
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var rewards: [Double] = [], steps: [Double] = [], correct: [Double] = [], wrong: [Double] = []
        var lengthScores: [Double] = [], repeated: [Double] = []
        for (i, completion) in batch.completions.enumerated() {
            let stepCount = ReasoningSteps.count(in: completion)
            let verdicts = (checksWritten ? WrittenArithmetic.steps(in: completion) : CalculatorAnnotation.all(in: completion)).map(\.verdict)
            let correctCount = verdicts.filter { $0 == .correct }.count
            let wrongCount = verdicts.filter { $0 == .wrong }.count
            let checked = correctCount + wrongCount
            let arithmetic = checked > 0 ? Double(correctCount) / Double(checked) : uncheckedArithmetic
            let length = batch.completionTokens[i] > 0 ? batch.completionTokens[i] : completion.split(whereSeparator: \.isWhitespace).count
            let lengthScore = band.score(length: length)
            let repeatedShare = RepeatedNgrams.fraction(in: completion, n: ngram) ?? 0
            let stepScore = min(1, Double(stepCount) / Double(targetSteps))
            let mean = (weights.steps * stepScore + weights.arithmetic * arithmetic + weights.length * lengthScore)
                / (weights.steps + weights.arithmetic + weights.length)
            rewards.append(mean - repetitionWeight * repeatedShare)
            steps.append(Double(stepCount))
            correct.append(Double(correctCount))
            wrong.append(Double(wrongCount))
            lengthScores.append(lengthScore)
            repeated.append(repeatedShare)
        }
        return RewardScores(rewards: rewards, components: [
            "steps": .numbers(steps), "annotations_correct": .numbers(correct), "annotations_wrong": .numbers(wrong),
            "length_score": .numbers(lengthScores), "repeated_ngrams": .numbers(repeated),
        ])
    }
}
