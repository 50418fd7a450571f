import RLRunSDK

/// Several reward functions combined with weights: total = Σ weight · reward. Each reward's
/// own value is kept as a component under its name, and its components as "name.component".
public final class RewardComposer {
    public struct Term {
        public let name: String
        public let weight: Double
        public let reward: any RewardFunction

        public init(name: String, weight: Double, reward: any RewardFunction) {
            self.name = name
            self.weight = weight
            self.reward = reward
        }
    }

    public let terms: [Term]

    public init(_ terms: [Term]) {
        var seen: [String: Int] = [:]
        self.terms = terms.map { term in
            let count = seen[term.name, default: 0] + 1
            seen[term.name] = count
            return count == 1 ? term : Term(name: "\(term.name)#\(count)", weight: term.weight, reward: term.reward)
        }
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        var total = [Double](repeating: 0, count: batch.count)
        var components: [String: RewardComponent] = [:]
        for term in terms {
            let scores = try term.reward.score(batch)
            guard scores.rewards.count == batch.count else {
                throw PluginError(.failed, "reward '\(term.name)' returned \(scores.rewards.count) rewards for \(batch.count) completions")
            }
            for i in total.indices { total[i] += term.weight * scores.rewards[i] }
            components[term.name] = .numbers(scores.rewards)
            for (name, component) in scores.components { components["\(term.name).\(name)"] = component }
        }
        return RewardScores(rewards: total, components: components)
    }
}

/// A `--reward` argument: "NAME" or "NAME:WEIGHT" (weight 1 by default).
public struct RewardSpec: Sendable, Equatable {
    public let name: String
    public let weight: Double

    public init(parsing text: String) throws {
        if let colon = text.lastIndex(of: ":") {
            let weightText = text[text.index(after: colon)...]
            guard let weight = Double(weightText), weight.isFinite else {
                throw PluginError(.input, "the weight '\(weightText)' in '\(text)' is not a finite number (write NAME or NAME:WEIGHT)")
            }
            name = String(text[..<colon])
            self.weight = weight
        } else {
            name = text
            weight = 1
        }
        guard !name.isEmpty else { throw PluginError(.input, "empty reward name in '\(text)'") }
    }
}
