import Foundation
import Testing
@testable import Engine
@testable import Models
import RLRunSDK
import Tokenizers
@testable import Training

/// A one-step actor-critic: advantage = reward − V at every completion token, value loss the
/// squared error to the reward (PPO's shape without clipping, KL or GAE).
final class ValueBaseline: Algorithm {
    let requirements = AlgorithmRequirements(policy: .causal, needsCritic: true, groupSize: 4)
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let values = inputs.values!
        let returns = try inputs.rewards.unsqueeze(1).expand(values.shape) * inputs.mask
        return AdvantageOutputs(advantages: try (returns - values) * inputs.mask, returns: returns)
    }
    func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let ratio = try (inputs.logProbs - inputs.oldLogProbs).exp()
        let policy = try -(ratio * inputs.advantages * inputs.mask).sum() / inputs.stepTokens
        let error = try inputs.values! - inputs.returns!
        let value = try (error * error * inputs.mask).sum() / inputs.stepTokens
        return LossOutputs(loss: try policy + value, metrics: [("value_loss", try value.item())])
    }
}

/// 1 + the share of '7's: never 0, so a zero critic has an error to learn from at once.
final class ShiftedSevenReward: RewardFunction {
    func score(_ batch: RewardBatch) throws -> RewardScores {
        let seven = try SevenReward().score(batch)
        return RewardScores(rewards: seven.rewards.map { 1 + $0 }, components: seven.components)
    }
}

@Suite struct CriticTests {
    func trainer(_ settings: [String: JSONValue] = [:], algorithm: any Algorithm = ValueBaseline(),
                 separate: Bool = false) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration = try configuration.applying(["learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "steps": 10,
                                                    "micro_batch_size": 8, "seed": 4, "weight_decay": 0], source: "test")
        configuration = try configuration.applying(settings, source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 4), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: ShiftedSevenReward())]),
                           dataset: Prompts(), configuration: configuration,
                           criticBackbone: separate ? TrainerTests().policy(seed: 4).model : nil)
    }

    func weights(_ model: Transformer) throws -> [[Float]] { try model.parameters().map { try $0.1.toArray(Float.self) } }

    /// A random head would give the first advantages a random offset per state, at the scale
    /// of the final norm's gain; a zero head leaves them the rewards' own.
    @Test func aFreshCriticValuesEveryStateAtZero() throws {
        let critic = try #require(try trainer().critic)
        #expect(try critic.weight.toArray(Float.self).allSatisfy { $0 == 0 })
        #expect(try critic.bias.toArray(Float.self) == [0])
    }

    @Test func criticWarmupTrainsTheCriticAlone() throws {
        let trainer = try trainer(["critic_warmup": 2])
        let initial = try weights(trainer.policy.model)
        for _ in 0..<2 {
            let metrics = try trainer.trainStep()
            #expect(metrics["critic_warmup"] == 1)
        }
        let waited = try weights(trainer.policy.model) == initial
        #expect(waited, "the policy waits while the critic warms up")
        #expect(try trainer.critic!.weight.toArray(Float.self).contains { $0 != 0 }, "the value head has learned")
        // The first step after the warm-up moves the policy (a step whose advantages are not all zero).
        var metrics = try trainer.trainStep()
        for _ in 0..<4 where metrics["grad_norm"] == 0 { metrics = try trainer.trainStep() }
        #expect(metrics["critic_warmup"] == nil)
        let moved = try weights(trainer.policy.model) != initial
        #expect(moved)
    }

    @Test func aSeparateCriticTrainsABackboneOfItsOwn() throws {
        let trainer = try trainer(separate: true)
        let backbone = try #require(trainer.criticBackbone)
        let initial = try weights(trainer.policy.model)
        let sameStart = try weights(backbone) == initial
        #expect(sameStart, "the critic starts from the policy's weights")
        #expect(trainer.trainable.count == 2 * initial.count + 2)
        for _ in 0..<3 { try trainer.trainStep() }
        let policy = try weights(trainer.policy.model), critic = try weights(backbone)
        let (policyMoved, criticMoved, apart) = (policy != initial, critic != initial, policy != critic)
        #expect(policyMoved)
        #expect(criticMoved)
        #expect(apart, "value and policy gradients go to different weights")
    }

    /// The critic's backbone, head and their AdamW moments are in the checkpoint.
    @Test(arguments: [false, true]) func resumingWithACriticContinuesExactly(separate: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let uninterrupted = try trainer(separate: separate)
        for _ in 0..<2 { try uninterrupted.trainStep() }
        try uninterrupted.saveCheckpoint(to: folder)
        let expected = try (0..<2).map { _ in try uninterrupted.trainStep() }
        let resumed = try trainer(separate: separate)
        try resumed.loadCheckpoint(from: folder)
        let got = try (0..<2).map { _ in try resumed.trainStep() }
        for (a, b) in zip(expected, got) {
            for key in ["reward_mean", "loss", "grad_norm", "value_loss"] { #expect(a[key] == b[key], "\(key)") }
        }
    }

    /// Adam's first step moves each weight by lr · g / (|g| + eps), so with the critic's rate
    /// doubled the value head moves twice as far and the policy exactly as far.
    @Test func theCriticLearnsAtItsOwnRate() throws {
        let same = try trainer(), faster = try trainer(["critic_learning_rate": 6e-2])
        let start = try same.critic!.weight.toArray(Float.self)
        let policyStart = try weights(same.policy.model)
        try same.trainStep()
        let metrics = try faster.trainStep()
        #expect(abs((metrics["critic_learning_rate"] ?? 0) - 6e-2) < 1e-12)
        let policy = try weights(same.policy.model), fasterPolicy = try weights(faster.policy.model)
        #expect(policy == fasterPolicy, "the policy's rate is its own")
        #expect(policy != policyStart)
        let moved = zip(try same.critic!.weight.toArray(Float.self), start).map { $0 - $1 }
        let movedFaster = zip(try faster.critic!.weight.toArray(Float.self), start).map { $0 - $1 }
        #expect(moved.contains { abs($0) > 1e-3 })
        for (a, b) in zip(moved, movedFaster) where abs(a) > 1e-4 { #expect(abs(b / a - 2) < 1e-3) }
    }

    @Test func criticSettingsNeedAnAlgorithmWithACritic() {
        #expect { try trainer(algorithm: GroupBaseline(), separate: true) } throws: { "\($0)".contains("critic_model") }
        #expect { try trainer(["critic_warmup": 3], algorithm: GroupBaseline()) } throws: { "\($0)".contains("critic_warmup") }
        #expect { try trainer(["critic_learning_rate": 1e-3], algorithm: GroupBaseline()) } throws: { "\($0)".contains("critic_learning_rate") }
        #expect { try trainer(["critic_model": "own"]) } throws: { "\($0)".contains("shared or separate") }
    }
}
