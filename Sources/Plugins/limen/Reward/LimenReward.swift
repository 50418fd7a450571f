import ContentRules
import MathAnswers
import RLRunSDK

/// The LIMEN validator as a reward. Each completion is judged as an intention: explicit checks
/// give a tension in [0, 1] (the weighted mean of the failed checks), the tension a mode
/// (APPROVED, ALTERNATIVE, SILENCE), and the mode shapes a base reward, less tension × weight.
/// The base is the correctness of the final answer against the reference by default. With a
/// `tension_model`, a trained reward model's verdict joins the checks (`LearnedTension`).
public final class LimenReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "limen", version: "1.0.0",
        summary: "LIMEN validator: tension from explicit checks, mode APPROVED/ALTERNATIVE/SILENCE, shaped reward",
        options: [
            .number("alternative_from", default: 0.3, help: "tension from which the mode is ALTERNATIVE (below: APPROVED)"),
            .number("silence_from", default: 0.7, help: "tension from which the mode is SILENCE"),
            .number("tension_weight", default: 0.3, help: "the shaped reward loses tension × this"),
            .choice("reward", ["shaped", "tension"], default: "shaped",
                    help: "shaped: the mode applied to the base, minus tension × weight; tension: the tension itself (weigh it negatively)"),
            .choice("base", ["correctness", "constant"], default: "correctness",
                    help: "correctness: 1 when the final answer equals the reference, else 0; constant: base_value"),
            .number("base_value", default: 1, help: "the base reward when base is constant"),
            .choice("required_format", LimenValidator.RequiredFormat.allCases.map(\.rawValue), default: "answer",
                    help: "what the format check requires: an explicit final answer, <think>/<answer>, <reasoning>/<answer>, or nothing"),
            .integer("ngram", default: 4, help: "n of the word n-grams of the repetition check"),
            .number("repetition_threshold", default: 0.5, help: "share of repeated n-grams from which the repetition check fails"),
            PluginOption("weights", .json, default: .object([:]),
                         help: "weights of the checks, e.g. {\"content\": 5}; unnamed ones keep their defaults: "
                             + LimenCheck.allCases.map { "\($0.rawValue) \(Int($0.defaultWeight))" }.joined(separator: ", ")),
            PluginOption("default_categories", .json, default: .array(ContentCategory.defaults.map { .string($0.name) }),
                         help: "default content categories of the content check"),
            PluginOption("categories", .json, default: .object([:]),
                         help: "more content categories, {\"name\": {\"phrases\": [...], \"patterns\": [...]}}"),
            .string("tension_model", default: nil,
                    help: "a reward-model folder (`rlrun reward-model train`) adding a learned tension σ(−score) to the checks"),
            .number("tension_model_weight", default: 2,
                    help: "weight of the learned tension among the checks' weights (used with tension_model)"),
        ],
        threadSafe: true)

    private let validator: LimenValidator
    private let alternativeFrom: Double
    private let silenceFrom: Double
    private let tensionWeight: Double
    private let rewardsTension: Bool
    /// The base when it is constant; nil when it is the answer's correctness.
    private let constantBase: Double?
    private let answers = AnswerExtractor(mode: .flexible)
    /// The model-based tension, when a tension model is given.
    private let learned: LearnedTension?

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        learned = try configuration.string("tension_model").map {
            try LearnedTension(path: $0, weight: try configuration.double("tension_model_weight"))
        }
        alternativeFrom = try configuration.double("alternative_from")
        silenceFrom = try configuration.double("silence_from")
        guard 0 <= alternativeFrom, alternativeFrom <= silenceFrom, silenceFrom <= 1 else {
            throw PluginError(.config, "need 0 <= alternative_from <= silence_from <= 1; got \(alternativeFrom) and \(silenceFrom)")
        }
        tensionWeight = try configuration.double("tension_weight")
        rewardsTension = try configuration.string("reward") == "tension"
        constantBase = try configuration.string("base") == "constant" ? configuration.double("base_value") : nil
        let ngram = try configuration.int("ngram")
        guard ngram >= 1 else { throw PluginError(.config, "ngram must be at least 1, got \(ngram)") }
        validator = LimenValidator(
            weights: try Self.weights(try configuration.json("weights")),
            requiredFormat: LimenValidator.RequiredFormat(rawValue: try configuration.string("required_format") ?? "")!,
            ngram: ngram,
            repetitionThreshold: try configuration.double("repetition_threshold"),
            content: try ContentRules(defaultNames: try configuration.json("default_categories"),
                                      custom: try configuration.json("categories")))
    }

    private static func weights(_ given: JSONValue) throws -> [LimenCheck: Double] {
        guard let entries = given.objectValue else {
            throw PluginError(.config, "weights must be a JSON object of check names to numbers; got \(given.jsonText)")
        }
        var weights = Dictionary(uniqueKeysWithValues: LimenCheck.allCases.map { ($0, $0.defaultWeight) })
        for (name, value) in entries {
            guard let check = LimenCheck(rawValue: name) else {
                throw PluginError(.config, "no LIMEN check '\(name)'; the checks are: \(LimenCheck.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let weight = value.doubleValue, weight >= 0 else {
                throw PluginError(.config, "the weight of '\(name)' must be a number >= 0; got \(value.jsonText)")
            }
            weights[check] = weight
        }
        return weights
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var rewards: [Double] = [], tensions: [Double] = [], bases: [Double] = []
        var modes: [String] = [], failed: [String] = []
        let model = try learned?.judge(batch)
        let learnedWeight = learned?.weight ?? 0
        for (i, completion) in batch.completions.enumerated() {
            let verdict = validator.judge(completion, learned: model.map { ($0.tensions[i], learnedWeight) })
            let mode = LimenMode(tension: verdict.tension, alternativeFrom: alternativeFrom, silenceFrom: silenceFrom)
            let base = try constantBase ?? correctness(completion, reference: batch.references[i], item: i)
            rewards.append(rewardsTension ? verdict.tension : mode.shape(base) - verdict.tension * tensionWeight)
            tensions.append(verdict.tension)
            bases.append(base)
            modes.append(mode.rawValue)
            failed.append(verdict.failed.map(\.rawValue).joined(separator: ","))
        }
        var components: [String: RewardComponent] = [
            "tension": .numbers(tensions), "mode": .labels(modes), "base": .numbers(bases), "failed": .labels(failed),
        ]
        if let model {
            components["learned_tension"] = .numbers(model.tensions)
            components["model_score"] = .numbers(model.scores)
        }
        return RewardScores(rewards: rewards, components: components)
    }

    private func correctness(_ completion: String, reference: String?, item: Int) throws -> Double {
        guard let reference else {
            throw PluginError(.input, "completion \(item) has no reference answer; limen's base is its correctness (set --option limen.base=constant to judge without references)")
        }
        guard let gold = AnswerExtractor.referenceAnswer(reference) else {
            throw PluginError(.input, "reference \(reference.prefix(40).debugDescription) of completion \(item) holds no number")
        }
        return answers.extract(from: completion).map { $0.answer.matches(gold) ? 1 : 0 } ?? 0
    }
}
