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
    /// The precision the policy's projections sample in (a training run's `autocast`; nil: the model's dtype).
    public let precision: DType?

    public init(policy: Policy, rewards: RewardComposer, groupSize: Int, sampling: PolicySampling, precision: DType? = nil) {
        self.policy = policy
        self.rewards = rewards
        self.groupSize = groupSize
        self.sampling = sampling
        self.precision = precision
    }

    /// - noise: where these groups' rows sit in the step's whole batch (data-parallel runs).
    /// - sources: where each item came from (e.g. "item 17 of split 'train'"), for errors.
    public func collect(_ items: [DatasetItem], generator: Generator, noise: SamplingNoise? = nil,
                        sources: [String]? = nil) throws -> GeneratedBatch {
        var batch = GeneratedBatch(groupSize: groupSize)
        let positions = policy.model.configuration.maxPositions
        for (i, item) in items.enumerated() {
            let tokens = try policy.promptTokens(item)
            guard tokens.count + sampling.maxNewTokens <= positions else {
                let preview = item.prompt.prefix(60).debugDescription
                throw ConfigurationError(source: "dataset \(sources?[i] ?? "item")",
                                         message: "prompt \(preview)... is \(tokens.count) tokens; with max_new_tokens \(sampling.maxNewTokens) "
                                             + "it exceeds the model's \(positions) positions. Lower max_new_tokens, or leave such prompts out of the dataset")
            }
            for _ in 0..<groupSize {
                batch.items.append(item)
                batch.prompts.append(tokens)
            }
        }
        let result = try policy.model.sampling(in: precision) {
            try sampling.sample(policy.model, prompts: batch.prompts, generator: generator, noise: noise, padTokenID: policy.padTokenID)
        }
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
