import Foundation
import Testing
@testable import Engine
@testable import Models
import RLRunSDK
import Tokenizers
@testable import Training

/// A dataset of fixed prompts.
final class Prompts: Dataset {
    let splits = ["train", "test"]
    func count(split: String) throws -> Int { 8 }
    func item(split: String, index: Int) throws -> DatasetItem { DatasetItem(prompt: "Q\(index)", reference: "7") }
}

/// Reward: the fraction of the completion's characters that are '7' (and an accuracy component).
final class SevenReward: RewardFunction {
    func score(_ batch: RewardBatch) throws -> RewardScores {
        let rewards = batch.completions.map { text in text.isEmpty ? 0 : Double(text.filter { $0 == "7" }.count) / Double(text.count) }
        return RewardScores(rewards: rewards, components: ["accuracy": .numbers(batch.completions.map { $0.hasPrefix("7") ? 1 : 0 })])
    }
}

/// REINFORCE with a group-mean baseline, token-mean over the step.
final class GroupBaseline: Algorithm {
    let requirements: AlgorithmRequirements
    init(policy: PolicyKind = .causal, mu: Int = 1) {
        requirements = AlgorithmRequirements(policy: policy, groupSize: 4, mu: mu)
    }
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let groups = try inputs.rewards.reshape([-1, 4])
        return AdvantageOutputs(advantages: try (groups - groups.mean(dim: 1, keepDim: true)).reshape([-1]))
    }
    func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let ratio = try (inputs.logProbs - inputs.oldLogProbs).exp()
        let loss = try -(ratio * inputs.advantages * inputs.mask).sum() / inputs.stepTokens
        return LossOutputs(loss: loss, metrics: [("ratio_mean", try (ratio * inputs.mask).sum().item() / inputs.mask.sum().item())])
    }
}

/// 30 steps: the mean reward of the last five is clearly above that of the first five.
func expectRewardRises(_ trainer: Trainer, steps: Int = 30, by margin: Double = 0.3) throws {
    var rewards: [Double] = []
    for _ in 0..<steps { rewards.append(try trainer.trainStep()["reward_mean"]!) }
    let first = rewards.prefix(5).reduce(0, +) / 5
    let last = rewards.suffix(5).reduce(0, +) / 5
    #expect(last > first + margin, "reward \(first) -> \(last)")
}

@Suite struct TrainerTests {
    func policy(seed: UInt64) throws -> Policy {
        let tokenizer = CharacterTokenizer.standard
        let configuration = ModelConfiguration(modelType: "llama", hiddenSize: 32, layers: 1, attentionHeads: 2, keyValueHeads: 1,
                                               intermediateSize: 64, maxPositions: 64, vocabularySize: tokenizer.vocabularySize,
                                               tieWordEmbeddings: true, eosTokenIDs: [2])
        let model = try Transformer(configuration: configuration, weights: .random(generator: Generator(seed: seed), std: 0.02,
                                                                                    dtype: .float32, device: .cpu))
        return try Policy(model: model, tokenizer: tokenizer, formatPrompt: { $0.prompt + ":" })
    }

    func trainer(seed: UInt64 = 1, steps: Int = 30, loraDropout: Double? = nil) throws -> Trainer {
        var settings = TrainingConfiguration()
        settings = try settings.applying(["learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "steps": .number(Double(steps)),
                                          "micro_batch_size": 8, "seed": .number(Double(seed)), "weight_decay": 0], source: "test")
        let policy = try policy(seed: seed)
        if let loraDropout {
            // As the run builder does: adapters drawn from a generator seeded by the run's seed.
            try policy.model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: loraDropout), generator: Generator(seed: seed &+ 11))
        }
        return try Trainer(policy: policy, algorithm: GroupBaseline(),
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: settings)
    }

    @Test func rewardRisesOverAShortRun() throws {
        try expectRewardRises(trainer())
    }

    @Test func stepsReportWhatTheyDid() throws {
        let trainer = try trainer()
        let m = try trainer.trainStep()
        #expect(m["groups_kept"] == 4)
        #expect(m["step"] == 1)
        #expect(m["completion_length_max"]! <= 4)
        #expect(m["ratio_mean"] == 1, "one update per batch is on-policy: old := sg(current)")
        #expect(m["accuracy"] != nil)
        // A step whose groups carry signal (non-zero advantages) has a gradient.
        var step = m
        for _ in 0..<8 where step["advantage_abs_mean"]! == 0 { step = try trainer.trainStep() }
        #expect(step["advantage_abs_mean"]! > 0)
        #expect(step["grad_norm"]! > 0)
    }

    /// The adapters' dropout differs between sampling (off) and the training pass (on): measured
    /// against the sampler's log-probs the ratio would stray from 1 and clip at random.
    @Test func onPolicyRatiosAreOneUnderLoRADropout() throws {
        let trainer = try trainer(loraDropout: 0.2)
        for _ in 0..<3 { #expect(try trainer.trainStep()["ratio_mean"] == 1) }
    }

    @Test func runsAreReproducibleFromTheSeed() throws {
        let a = try trainer(seed: 5), b = try trainer(seed: 5)
        for _ in 0..<3 {
            let ma = try a.trainStep(), mb = try b.trainStep()
            #expect(ma["reward_mean"] == mb["reward_mean"])
            #expect(ma["loss"] == mb["loss"])
        }
    }

    @Test(arguments: [nil, 0.2]) func resumingFromACheckpointContinuesExactly(loraDropout: Double?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let uninterrupted = try trainer(seed: 9, loraDropout: loraDropout)
        for _ in 0..<2 { try uninterrupted.trainStep() }
        try uninterrupted.saveCheckpoint(to: folder.appendingPathComponent("step-2"))
        let expected = try (0..<2).map { _ in try uninterrupted.trainStep() }

        // As a new process would: a fresh trainer (weights of step 0), then the checkpoint.
        let resumed = try trainer(seed: 9, loraDropout: loraDropout)
        try resumed.loadCheckpoint(from: folder.appendingPathComponent("step-2"))
        #expect(resumed.step == 2)
        let got = try (0..<2).map { _ in try resumed.trainStep() }
        for (a, b) in zip(expected, got) {
            #expect(a["reward_mean"] == b["reward_mean"])
            #expect(a["loss"] == b["loss"])
            #expect(a["grad_norm"] == b["grad_norm"])
            #expect(a["step"] == b["step"])
        }
    }

    @Test func damagedCheckpointsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try trainer()
        try trainer.trainStep()
        let checkpoint = folder.appendingPathComponent("step-1")
        try trainer.saveCheckpoint(to: checkpoint)
        try Trainer.verifyCheckpoint(checkpoint)
        let state = checkpoint.appendingPathComponent("trainer.json")
        try Data("{}".utf8).write(to: state)
        #expect(throws: ConfigurationError.self) { try Trainer.verifyCheckpoint(checkpoint) }
        #expect(throws: ConfigurationError.self) { try Trainer.verifyCheckpoint(folder.appendingPathComponent("missing")) }
    }

    @Test func dataCursorVisitsEveryItemOncePerEpochInASeededOrder() {
        var cursor = DataCursor(count: 5, seed: 3)
        let epoch = cursor.next(5)
        #expect(Set(epoch) == Set(0..<5))
        var again = DataCursor(count: 5, seed: 3)
        #expect(again.next(5) == epoch)
        #expect(Set(cursor.next(5)) == Set(0..<5))
    }
}
