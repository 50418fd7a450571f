import Engine
import Foundation
import Models
import RLRunSDK

/// Supervised fine-tuning on (prompt, target) pairs: cross-entropy on the target tokens and
/// the stop token (causal models), or LLaDA's masked-diffusion SFT loss (masked-diffusion
/// models). rlrun's warm start of the built-in policy before RL.
public final class SupervisedTrainer {
    public let policy: Policy
    public let batchSize: Int
    /// Masked-diffusion models: targets are padded with the stop token to this length, the
    /// region block decoding fills, so the model learns to end with padding (LLaDA's SFT).
    public let generationLength: Int
    let generator: Generator
    let optimizer: AdamW
    let schedule: LearningRateSchedule
    let parameters: [Tensor]
    public private(set) var step = 0

    public init(policy: Policy, learningRate: Double, steps: Int, batchSize: Int, warmupSteps: Int = 0,
                weightDecay: Double = 0.01, generationLength: Int = 64, seed: UInt64 = 0) throws {
        self.policy = policy
        self.batchSize = batchSize
        self.generationLength = generationLength
        generator = try Generator(seed: seed, device: policy.model.device)
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

    /// One optimizer step on `items`; returns the mean token cross-entropy (masked-diffusion:
    /// LLaDA's loss, the masked tokens' cross-entropy over their masking probability).
    @discardableResult
    public func train(on items: [DatasetItem]) throws -> Double {
        var prompts: [[Int]] = [], targets: [[Int]] = []
        let stop = policy.stopTokenIDs.min()!
        let diffusion = policy.model.configuration.maskedDiffusion
        for item in items {
            guard let target = Self.target(for: item) else { continue }
            let ids = try policy.tokenizer.encode(target) + [stop]
            // A target longer than the decoded region could never be generated: skip it.
            if diffusion && ids.count > generationLength { continue }
            prompts.append(try policy.promptTokens(item))
            targets.append(diffusion ? ids + Array(repeating: stop, count: generationLength - ids.count) : ids)
        }
        guard !prompts.isEmpty else { throw ConfigurationError(source: "sft", message: "no item has a solution or reference to learn") }
        policy.model.setTraining(true)
        defer { policy.model.setTraining(false) }
        let loss = diffusion ? try maskedDiffusionLoss(prompts: prompts, targets: targets) : try causalLoss(prompts: prompts, targets: targets)
        try loss.backward()
        try clipGradientNorm(parameters, maxNorm: 1.0)
        try optimizer.step(lr: schedule.rate(atStep: step))
        try optimizer.zeroGrad()
        step += 1
        return try loss.item()
    }

    func causalLoss(prompts: [[Int]], targets: [[Int]]) throws -> Tensor {
        let batch = try CompletionBatch(prompts: prompts, completions: targets, padTokenID: policy.padTokenID,
                                        device: policy.model.device)
        let logProbs = try policy.model.completionLogProbs(batch).logProbs
        return try -(logProbs * batch.mask).sum() / batch.mask.sum()
    }

    /// ALGORITHMS.md §6: per row t ~ U(0, 1), p = (1 − ε)t + ε; each response token is masked
    /// with probability p, the prompt never; L = Σ_masked CE / p ÷ (rows · response length).
    func maskedDiffusionLoss(prompts: [[Int]], targets: [[Int]]) throws -> Tensor {
        let model = policy.model
        let maskID = model.configuration.maskTokenID!
        let batch = try DiffusionCompletionBatch(
            prompts: prompts, completions: targets, promptMasks: prompts.map { Array(repeating: false, count: $0.count) },
            maskTokenID: maskID, padTokenID: policy.padTokenID, device: model.device)
        let rows = prompts.count, length = batch.completionWidth
        let epsilon = 1e-3
        let p = try Tensor.rand([rows, 1], device: model.device, generator: generator) * (1 - epsilon) + epsilon
        let masked = try Tensor.rand([rows, length], device: model.device, generator: generator).lt(p.expand([rows, length]))
        let noisy = try Tensor.where(masked, Tensor.full([rows, length], Double(maskID), dtype: .int64, device: model.device),
                                     batch.targets)
        let tokens = try Tensor.cat([batch.tokens.slice(dim: 1, end: batch.promptWidth), noisy], dim: 1)
        let hidden = try model.hiddenStates(tokens, positions: batch.positions, mask: batch.attentionMask)
        let logProbs = try NN.tokenLogProbs(logits: model.logits(model.predicting(hidden, start: batch.promptWidth, end: batch.promptWidth + length)), targets: batch.targets)
        let weight = try masked.to(.float32) / p
        return try -(logProbs * weight).sum() / Double(rows * length)
    }
}
