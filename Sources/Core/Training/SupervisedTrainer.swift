import Engine
import Foundation
import Models
import RLRunSDK

/// Supervised fine-tuning on (prompt, target) pairs: cross-entropy on the target tokens and
/// the stop token. rlrun's warm start of the built-in policy before RL.
public final class SupervisedTrainer {
    public let policy: Policy
    public let batchSize: Int
    let optimizer: AdamW
    let schedule: LearningRateSchedule
    let parameters: [Tensor]
    public private(set) var step = 0

    public init(policy: Policy, learningRate: Double, steps: Int, batchSize: Int, warmupSteps: Int = 0,
                weightDecay: Double = 0.01) throws {
        self.policy = policy
        self.batchSize = batchSize
        parameters = policy.model.loraConfiguration != nil ? policy.model.loraParameters() : policy.model.parameters().map(\.1)
        for parameter in parameters { try parameter.requiringGrad() }
        optimizer = try AdamW(parameters: parameters, options: .init(beta1: 0.9, beta2: 0.98, weightDecay: weightDecay))
        schedule = LearningRateSchedule(kind: .cosine, baseRate: learningRate, warmupSteps: warmupSteps, totalSteps: steps,
                                        minRatio: 0.1)
    }

    /// What an item should be answered with: its metadata's "solution" when present, else its reference.
    public static func target(for item: DatasetItem) -> String? {
        if let metadata = item.metadata, let object = try? JSONValue(parsing: metadata).objectValue,
           let solution = object["solution"]?.stringValue {
            return solution
        }
        return item.reference
    }

    /// One optimizer step on `items`; returns the mean token cross-entropy.
    @discardableResult
    public func train(on items: [DatasetItem]) throws -> Double {
        var prompts: [[Int]] = [], targets: [[Int]] = []
        let stop = policy.stopTokenIDs.min()!
        for item in items {
            guard let target = Self.target(for: item) else { continue }
            prompts.append(try policy.promptTokens(item))
            targets.append(try policy.tokenizer.encode(target) + [stop])
        }
        guard !prompts.isEmpty else { throw ConfigurationError(source: "sft", message: "no item has a solution or reference to learn") }
        let batch = try CompletionBatch(prompts: prompts, completions: targets, padTokenID: policy.padTokenID,
                                        device: policy.model.device)
        policy.model.setTraining(true)
        defer { policy.model.setTraining(false) }
        let logProbs = try policy.model.completionLogProbs(batch).logProbs
        let loss = try -(logProbs * batch.mask).sum() / batch.mask.sum()
        try loss.backward()
        try clipGradientNorm(parameters, maxNorm: 1.0)
        try optimizer.step(lr: schedule.rate(atStep: step))
        try optimizer.zeroGrad()
        step += 1
        return try loss.item()
    }
}
