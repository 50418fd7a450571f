import Testing
@testable import Engine
import RLRunSDK
@testable import Training

/// GroupBaseline that keeps what the trainer hands it: the mask and truncation flags of each
/// batch, and per loss call the step counts it was given, its rows' valid tokens, how far the
/// policy has moved from the behaviour policy on them, and their advantages' weight.
final class RecordingBaseline: Algorithm {
    let base = GroupBaseline()
    var requirements: AlgorithmRequirements { base.requirements }
    var masks: [(rows: [Float], truncated: [Bool])] = []
    /// Per loss call; `rowFingerprints` is each row's masked sum of old log-probs, which tells
    /// the sampled completions apart.
    typealias Call = (stepTokens: Double, stepSequences: Double, tokens: Double, rows: Int, drift: Double, signal: Double,
                      rowFingerprints: [Float])
    var calls: [Call] = []
    var stepCounts: [(tokens: Double, sequences: Double)] { calls.map { ($0.stepTokens, $0.stepSequences) } }

    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let width = inputs.mask.size(1)
        let values = try inputs.mask.toArray(Float.self)
        let rows = stride(from: 0, to: values.count, by: width).map { values[$0..<($0 + width)].reduce(0, +) }
        masks.append((rows, inputs.rollout.truncated))
        return try base.advantages(inputs)
    }

    func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let drift = try ((inputs.logProbs.detached() - inputs.oldLogProbs) * inputs.mask).abs().max().item() as Double
        let signal: Double = try (inputs.advantages * inputs.mask).abs().sum().item()
        let fingerprints = try (inputs.oldLogProbs * inputs.mask).sum(dim: 1).toArray(Float.self)
        calls.append((inputs.stepTokens, inputs.stepSequences, try inputs.mask.sum().item(), inputs.mask.size(0), drift, signal,
                      fingerprints))
        return try base.loss(inputs)
    }
}

@Suite struct TruncatedMaskingTests {
    func trainer(_ algorithm: RecordingBaseline, mask: Bool) throws -> Trainer {
        let settings = try TrainingConfiguration().applying(
            ["learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "steps": 4, "micro_batch_size": 8, "seed": 3,
             "weight_decay": 0, "mask_truncated_completions": .bool(mask), "skip_inert_groups": false], source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 3), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: settings)
    }

    /// A random policy rarely stops within 4 tokens, so most rows are truncated; with the
    /// setting each of them has mask 0 and leaves the step's counts, without it none does.
    @Test(arguments: [false, true]) func truncatedCompletionsCountForNothing(mask: Bool) throws {
        let algorithm = RecordingBaseline()
        let trainer = try trainer(algorithm, mask: mask)
        for _ in 0..<2 { try trainer.trainStep() }
        var truncatedRows = 0
        for (rows, truncated) in algorithm.masks {
            for (tokens, cut) in zip(rows, truncated) {
                #expect(tokens == (mask && cut ? 0 : tokens))
                if !mask || !cut { #expect(tokens > 0) }
                if cut { truncatedRows += 1 }
            }
        }
        #expect(truncatedRows > 0, "the test needs truncated completions")
        for ((rows, truncated), counts) in zip(algorithm.masks, algorithm.stepCounts) {
            #expect(counts.tokens == Double(rows.reduce(0, +)))
            #expect(counts.sequences == Double(mask ? truncated.filter { !$0 }.count : truncated.count))
        }
    }

    /// Every completion truncated and masked: nothing to learn from, the weights stay.
    @Test func aStepOfTruncatedCompletionsLeavesTheWeights() throws {
        let algorithm = RecordingBaseline()
        let trainer = try trainer(algorithm, mask: true)
        let before = try trainer.policy.model.parameters().map { try $0.1.toArray(Float.self) }
        let metrics = try trainer.trainStep()
        try #require(metrics["truncated_fraction"] == 1, "seed 3 truncates every completion of the first step")
        let after = try trainer.policy.model.parameters().map { try $0.1.toArray(Float.self) }
        #expect(before == after)
        #expect(metrics["grad_norm"] == 0)
    }

    /// DAPO checks its own group_size, but the trainer's setting wins; a group of one would
    /// have every group filtered out, round after round, so it is refused up front.
    @Test func dynamicSamplingRefusesGroupsOfOne() throws {
        let settings = try TrainingConfiguration().applying(["group_size": 1, "prompts_per_step": 4], source: "test")
        #expect {
            try Trainer(policy: TrainerTests().policy(seed: 3), algorithm: FilteringBaseline(),
                        rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                        dataset: Prompts(), configuration: settings)
        } throws: { "\($0)".contains("group_size >= 2") }
    }
}
