import Foundation
import Testing
@testable import Engine
import RLRunSDK
@testable import Training

/// Reward 1 when the completion's first character has an even code: about half the
/// completions, so some groups of four agree (zero advantages) and the others do not.
final class EvenFirstCharacterReward: RewardFunction {
    func score(_ batch: RewardBatch) throws -> RewardScores {
        RewardScores(rewards: batch.completions.map { text in (text.unicodeScalars.first?.value ?? 1) % 2 == 0 ? 1 : 0 })
    }
}

/// REINFORCE with a group-mean baseline that says a zero advantage adds nothing to its loss.
final class InertAwareBaseline: Algorithm {
    let requirements = AlgorithmRequirements(zeroAdvantageIsInert: true, groupSize: 4)
    let inner = GroupBaseline()
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs { try inner.advantages(inputs) }
    func loss(_ inputs: LossInputs) throws -> LossOutputs { try inner.loss(inputs) }
}

/// Leaving the groups whose advantages are all zero out of the update computes the same step.
@Suite struct InertGroupTests {
    func trainer(_ algorithm: any Algorithm, skip: Bool) throws -> Trainer {
        let settings = try TrainingConfiguration().applying([
            "learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "micro_batch_size": 6, "seed": 5,
            "weight_decay": 0, "skip_inert_groups": .bool(skip),
        ], source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 5), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "even", weight: 1, reward: EvenFirstCharacterReward())]),
                           dataset: Prompts(), configuration: settings)
    }

    @Test func skippingInertGroupsTrainsTheSameWeights() throws {
        let lean = try trainer(InertAwareBaseline(), skip: true), full = try trainer(InertAwareBaseline(), skip: false)
        var skippedSomewhere = false
        for step in 1...6 {
            let a = try lean.trainStep(), b = try full.trainStep()
            #expect(a["reward_mean"] == b["reward_mean"], "step \(step): the same samples")
            #expect(b["groups_trained"] == 4)
            if a["groups_trained"]! < 4 { skippedSomewhere = true }
            let (na, nb) = (a["grad_norm"]!, b["grad_norm"]!)
            #expect(Swift.abs(na - nb) <= 1e-5 * max(nb, 1e-6), "step \(step): grad norm \(na) vs \(nb)")
            #expect(Swift.abs(a["loss"]! - b["loss"]!) <= 1e-6, "step \(step): loss \(a["loss"]!) vs \(b["loss"]!)")
        }
        #expect(skippedSomewhere, "no step had a group of four that agreed: the test checks nothing")
        for ((name, x), (_, y)) in zip(lean.policy.model.parameters(), full.policy.model.parameters()) {
            let worst: Double = try (x - y).abs().max().item()
            let scale: Double = try y.abs().max().item()
            #expect(worst <= 1e-5 * max(scale, 1), "\(name) off by \(worst)")
        }
    }

    @Test func algorithmsThatDoNotSaySoTrainEveryGroup() throws {
        let trainer = try trainer(GroupBaseline(), skip: true)
        for _ in 1...4 { #expect(try trainer.trainStep()["groups_trained"] == 4) }
    }
}
