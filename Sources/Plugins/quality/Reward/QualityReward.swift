import RLRunSDK

/// Overlap with a reference text: sentence BLEU (up to 4-grams, smoothed) and ROUGE-L F1,
/// mixed by weight (a weight of 0 leaves a metric out). The text compared against is the
/// item's reference, or a field of its metadata (GSM8K's worked `solution`, say).
public final class QualityReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "quality", version: "1.0.0",
        summary: "BLEU (smoothed sentence BLEU) and ROUGE-L F1 against the reference text",
        options: [
            .number("bleu_weight", default: 0.5, help: "weight of BLEU in the reward (0 leaves it out)"),
            .number("rouge_weight", default: 0.5, help: "weight of ROUGE-L F1 in the reward (0 leaves it out)"),
            .integer("max_order", default: 4, help: "longest n-gram of BLEU"),
            .boolean("lowercase", default: true, help: "compare case-insensitively"),
            .string("reference_field", default: nil,
                    help: "compare with this string field of the item's metadata (e.g. solution) instead of the reference"),
        ],
        threadSafe: true)

    private let bleuWeight: Double
    private let rougeWeight: Double
    private let bleu: SentenceBLEU
    private let lowercase: Bool
    private let referenceField: String?

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        bleuWeight = try configuration.double("bleu_weight")
        rougeWeight = try configuration.double("rouge_weight")
        guard bleuWeight >= 0, rougeWeight >= 0, bleuWeight + rougeWeight > 0 else {
            throw PluginError(.config, "bleu_weight and rouge_weight must be >= 0 with a positive sum; got \(bleuWeight) and \(rougeWeight)")
        }
        let maxOrder = try configuration.int("max_order")
        guard maxOrder >= 1 else { throw PluginError(.config, "max_order must be at least 1, got \(maxOrder)") }
        bleu = SentenceBLEU(maxOrder: maxOrder)
        lowercase = try configuration.bool("lowercase")
        referenceField = try configuration.string("reference_field")
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var rewards: [Double] = [], bleuScores: [Double] = [], rougeScores: [Double] = []
        for i in 0..<batch.count {
            let reference = TextTokens.split(try referenceText(batch, i), lowercase: lowercase)
            let candidate = TextTokens.split(batch.completions[i], lowercase: lowercase)
            let bleuScore = bleuWeight > 0 ? bleu.score(candidate: candidate, reference: reference) : 0
            let rougeScore = rougeWeight > 0 ? RougeL.f1(candidate: candidate, reference: reference) : 0
            rewards.append((bleuWeight * bleuScore + rougeWeight * rougeScore) / (bleuWeight + rougeWeight))
            bleuScores.append(bleuScore)
            rougeScores.append(rougeScore)
        }
        return RewardScores(rewards: rewards, components: ["bleu": .numbers(bleuScores), "rouge_l": .numbers(rougeScores)])
    }

    private func referenceText(_ batch: RewardBatch, _ i: Int) throws -> String {
        guard let field = referenceField else {
            guard let reference = batch.references[i] else {
                throw PluginError(.input, "completion \(i) has no reference text to compare with (or set reference_field to a metadata field)")
            }
            return reference
        }
        guard let metadata = batch.metadata[i], let text = try JSONValue(parsing: metadata)[field]?.stringValue else {
            throw PluginError(.input, "completion \(i) has no string field '\(field)' in its metadata")
        }
        return text
    }
}
