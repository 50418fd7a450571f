import Foundation
import RLRunSDK

/// One model's greedy answers to the evaluation items, scored.
public struct ModelEvaluation: Sendable {
    /// As given on the command line (a folder, or `builtin`).
    public let model: String
    /// The folder the weights came from.
    public let folder: String
    public let maxNewTokens: Int
    /// Per item, whether the answer is right (a reward's "accuracy" component, e.g. gsm8k's);
    /// nil when no reward reports one.
    public let correct: [Bool]?
    /// Per item, the weighted total reward.
    public let rewards: [Double]
    public let completions: [String]
    /// pass@k from several sampled completions per item (`rlrun eval --samples N`).
    public let sampled: SampledAccuracy?

    public init(model: String, folder: String, maxNewTokens: Int, correct: [Bool]?, rewards: [Double], completions: [String],
                sampled: SampledAccuracy? = nil) {
        self.model = model
        self.folder = folder
        self.maxNewTokens = maxNewTokens
        self.correct = correct
        self.rewards = rewards
        self.completions = completions
        self.sampled = sampled
    }

    public var n: Int { rewards.count }
    public var successes: Int? { correct.map { $0.filter { $0 }.count } }
    public var accuracy: Double? { successes.flatMap { n > 0 ? Double($0) / Double(n) : nil } }
    public var accuracyInterval: ConfidenceInterval? {
        successes.flatMap { ComparisonStatistics.wilsonInterval(successes: $0, trials: n) }
    }
    public var meanReward: Double { rewards.reduce(0, +) / Double(max(1, n)) }
}

/// A model against a baseline on the same items.
public struct ModelComparison: Sendable {
    /// Nil when no reward reports accuracy.
    public let outcomes: PairedOutcomes?
    /// Accuracy of the model minus the baseline's, from per-item 1/0 differences.
    public let accuracyDifference: PairedDifference?
    public let rewardDifference: PairedDifference?

    public init(_ a: ModelEvaluation, against b: ModelEvaluation) {
        if let right = a.correct, let baseline = b.correct {
            outcomes = PairedOutcomes(a: right, b: baseline)
            accuracyDifference = PairedDifference(right.map { $0 ? 1 : 0 }, baseline.map { $0 ? 1 : 0 })
        } else {
            outcomes = nil
            accuracyDifference = nil
        }
        rewardDifference = PairedDifference(a.rewards, b.rewards)
    }
}

/// What `rlrun eval` prints: each model's accuracy and reward, and the comparison.
public struct EvaluationReport: Sendable {
    public let dataset: String
    public let split: String
    /// The reward plugins by id, with their weights, in the order given.
    public let rewards: [(name: String, weight: Double)]
    /// The items both models answered, in order.
    public let items: [DatasetItem]
    public let model: ModelEvaluation
    public let baseline: ModelEvaluation?

    public init(dataset: String, split: String, rewards: [(name: String, weight: Double)], items: [DatasetItem], model: ModelEvaluation,
                baseline: ModelEvaluation?) {
        self.dataset = dataset
        self.split = split
        self.rewards = rewards
        self.items = items
        self.model = model
        self.baseline = baseline
    }

    public var comparison: ModelComparison? { baseline.map { ModelComparison(model, against: $0) } }

    // MARK: - Text

    public var lines: [String] {
        var lines = ["[EVAL] \(model.n) items of \(dataset), split \(split); greedy; rewards \(rewards.map { "\($0.name)×\(Self.weight($0.weight))" }.joined(separator: ", "))"]
        let width = max(model.model.count, baseline?.model.count ?? 0)
        lines.append("[EVAL] A \(Self.summary(model, width: width))")
        lines += Self.sampledLines(model, letter: "A")
        guard let baseline, let comparison else { return lines }
        lines.append("[EVAL] B \(Self.summary(baseline, width: width))")
        lines += Self.sampledLines(baseline, letter: "B")
        if let difference = comparison.accuracyDifference {
            lines.append("[EVAL] A − B accuracy \(Self.signed(difference.mean)), 95% CI \(Self.interval(difference.interval, signed: true)) (paired)")
        }
        if let difference = comparison.rewardDifference {
            lines.append("[EVAL] A − B mean reward \(Self.signed(difference.mean)), 95% CI \(Self.interval(difference.interval, signed: true)) (paired)")
        }
        if let outcomes = comparison.outcomes {
            let win = outcomes.winRate.map { Self.fixed($0) } ?? "undefined (they never disagree)"
            lines.append("[EVAL] Win rate of A \(win): A right and B wrong on \(outcomes.aOnly), B right and A wrong on \(outcomes.bOnly)"
                         + " (both right \(outcomes.both), both wrong \(outcomes.neither))")
            var test = "[EVAL] McNemar exact p = \(Self.pValue(outcomes.mcnemarExactP))"
            if let chi = outcomes.mcnemarChiSquare, let p = outcomes.mcnemarChiSquareP {
                test += String(format: "; χ² = %.3f, p = %@", chi, Self.pValue(p))
            }
            lines.append(test + " (chance of a split at least this uneven if both were equally accurate)")
        } else {
            lines.append("[EVAL] No reward reports accuracy (a component named accuracy, as gsm8k's): only rewards are compared")
        }
        return lines
    }

    /// The first `count` items with each model's answer, to see what the numbers are made of.
    public func sampleLines(_ count: Int) -> [String] {
        var lines: [String] = []
        for index in 0..<min(count, items.count) {
            lines.append("[ITEM] \(index): \(Self.oneLine(items[index].prompt)) (reference \(items[index].reference ?? "none"))")
            for (letter, evaluation) in zip(["A", "B"], [model] + (baseline.map { [$0] } ?? [])) {
                let verdict = evaluation.correct.map { $0[index] ? "right" : "wrong" } ?? String(format: "reward %.3f", evaluation.rewards[index])
                lines.append("[ITEM]   \(letter) \(verdict): \(Self.oneLine(evaluation.completions[index]))")
            }
        }
        return lines
    }

    static func oneLine(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "⏎") }

    static func summary(_ evaluation: ModelEvaluation, width: Int) -> String {
        let name = evaluation.model.padding(toLength: width, withPad: " ", startingAt: 0)
        var text = "\(name)  "
        if let accuracy = evaluation.accuracy, let successes = evaluation.successes {
            text += "accuracy \(fixed(accuracy)) (\(successes)/\(evaluation.n)), 95% CI \(interval(evaluation.accuracyInterval, signed: false)); "
        }
        return text + "mean reward \(fixed(evaluation.meanReward)); n \(evaluation.n)"
    }

    static func sampledLines(_ evaluation: ModelEvaluation, letter: String) -> [String] {
        guard let sampled = evaluation.sampled else { return [] }
        let passes = sampled.reportedK.map { "pass@\($0) \(fixed(sampled.passAt($0)))" }.joined(separator: ", ")
        return ["[EVAL] \(letter) sampled: \(passes) (\(sampled.samplesPerItem) samples per item at temperature \(weight(sampled.temperature)))"]
    }

    static func weight(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value) }
    static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }
    static func signed(_ value: Double) -> String { String(format: "%+.3f", value) }
    static func pValue(_ value: Double) -> String { value < 0.001 ? String(format: "%.2g", value) : String(format: "%.3f", value) }
    static func interval(_ interval: ConfidenceInterval?, signed: Bool) -> String {
        guard let interval else { return "undefined (fewer than two items)" }
        let format = signed ? Self.signed : Self.fixed
        return "[\(format(interval.lower)), \(format(interval.upper))]"
    }

    // MARK: - JSON

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "dataset": .string(dataset), "split": .string(split), "items": .number(Double(model.n)),
            "rewards": .object(Dictionary(rewards.map { ($0.name, JSONValue.number($0.weight)) }, uniquingKeysWith: { $1 })), "model": Self.json(model),
        ]
        if let baseline, let comparison {
            object["baseline"] = Self.json(baseline)
            object["comparison"] = Self.json(comparison)
        }
        return .object(object)
    }

    static func json(_ evaluation: ModelEvaluation) -> JSONValue {
        var object: [String: JSONValue] = [
            "model": .string(evaluation.model), "folder": .string(evaluation.folder), "n": .number(Double(evaluation.n)),
            "max_new_tokens": .number(Double(evaluation.maxNewTokens)),
            "correct": number(evaluation.successes.map(Double.init)), "accuracy": number(evaluation.accuracy),
            "accuracy_ci95": json(evaluation.accuracyInterval), "mean_reward": .number(evaluation.meanReward),
        ]
        if let sampled = evaluation.sampled {
            object["sampled"] = .object([
                "samples_per_item": .number(Double(sampled.samplesPerItem)), "temperature": .number(sampled.temperature),
                "pass_at": .object(Dictionary(uniqueKeysWithValues: sampled.reportedK.map { (String($0), JSONValue.number(sampled.passAt($0))) })),
            ])
        }
        return .object(object)
    }

    static func json(_ comparison: ModelComparison) -> JSONValue {
        let outcomes = comparison.outcomes
        return .object([
            "accuracy_difference": number(comparison.accuracyDifference?.mean),
            "accuracy_difference_ci95": json(comparison.accuracyDifference?.interval),
            "mean_reward_difference": number(comparison.rewardDifference?.mean),
            "mean_reward_difference_ci95": json(comparison.rewardDifference?.interval),
            "a_only": number(outcomes.map { Double($0.aOnly) }), "b_only": number(outcomes.map { Double($0.bOnly) }),
            "both": number(outcomes.map { Double($0.both) }), "neither": number(outcomes.map { Double($0.neither) }),
            "win_rate": number(outcomes?.winRate),
            "mcnemar_exact_p": number(outcomes?.mcnemarExactP),
            "mcnemar_chi_square": number(outcomes?.mcnemarChiSquare), "mcnemar_chi_square_p": number(outcomes?.mcnemarChiSquareP),
        ])
    }

    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
    static func json(_ interval: ConfidenceInterval?) -> JSONValue {
        interval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
    }
}
