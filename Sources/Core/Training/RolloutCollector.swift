import Engine
import Foundation
import Models
import RLRunSDK

/// Samples `groupSize` completions per prompt from the policy and scores them.
public struct RolloutCollector {
    public let policy: Policy
    public let rewards: RewardComposer
    public let groupSize: Int
    public let sampling: PolicySampling

    public init(policy: Policy, rewards: RewardComposer, groupSize: Int, sampling: PolicySampling) {
        self.policy = policy
        self.rewards = rewards
        self.groupSize = groupSize
        self.sampling = sampling
    }

    /// - noise: where these groups' rows sit in the step's whole batch (data-parallel runs).
    public func collect(_ items: [DatasetItem], generator: Generator, noise: SamplingNoise? = nil) throws -> GeneratedBatch {
        var batch = GeneratedBatch(groupSize: groupSize)
        for item in items {
            let tokens = try policy.promptTokens(item)
            for _ in 0..<groupSize {
                batch.items.append(item)
                batch.prompts.append(tokens)
            }
        }
        let result = try sampling.sample(policy.model, prompts: batch.prompts, generator: generator, noise: noise,
                                          padTokenID: policy.padTokenID)
        batch.completions = result.tokens
        batch.samplingLogProbs = result.behaviourLogProbs
        batch.regions = result.regions
        batch.stopReasons = result.stopReasons
        batch.texts = result.tokens.map(policy.completionText)
        let prompts = batch.items.map(policy.formatPrompt)
        let scores = try rewards.score(RewardBatch(
            prompts: prompts, completions: batch.texts, references: batch.items.map(\.reference),
            metadata: batch.items.map(\.metadata), completionTokens: batch.completions.map(\.count),
            truncated: batch.stopReasons.map { $0 == .length }))
        batch.rewards = scores.rewards
        batch.components = scores.components
        batch.correct = Self.correctness(scores.components, count: batch.count)
        return batch
    }

    /// Task success from the first numeric component named "accuracy" (e.g. "gsm8k.accuracy").
    static func correctness(_ components: [String: RewardComponent], count: Int) -> [Double?] {
        let name = components.keys.sorted().first { $0 == "accuracy" || $0.hasSuffix(".accuracy") }
        guard let name, case .numbers(let values)? = components[name] else { return Array(repeating: nil, count: count) }
        return values.map(Optional.some)
    }
}
