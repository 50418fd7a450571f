import Foundation
import Testing
@testable import Engine
@testable import Models
import RLRunSDK
import Tokenizers
@testable import Training

/// GroupBaseline whose loss turns NaN while `poisoned` is set.
final class PoisonableLoss: Algorithm {
    let inner = GroupBaseline()
    var poisoned = false
    var requirements: AlgorithmRequirements { inner.requirements }
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs { try inner.advantages(inputs) }
    func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let out = try inner.loss(inputs)
        return poisoned ? LossOutputs(loss: try out.loss * Double.nan, metrics: out.metrics) : out
    }
}

@Suite struct NumericalGuardTests {
    func trainer(_ algorithm: PoisonableLoss, maxNonFinite: Int = 3) throws -> Trainer {
        let settings = try TrainingConfiguration().applying([
            "learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "micro_batch_size": 8, "seed": 3,
            // Every optimizer step then moves the weights, whether or not its groups had signal.
            "weight_decay": 0.1,
            "max_nonfinite_steps": .number(Double(maxNonFinite)),
        ], source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 3), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: settings)
    }

    func weights(_ trainer: Trainer) throws -> [Float] {
        try trainer.policy.model.parameters().flatMap { try $0.1.toArray(Float.self) }
    }

    @Test func aNaNLossSkipsTheUpdateAndLeavesTheWeights() throws {
        let algorithm = PoisonableLoss()
        let trainer = try trainer(algorithm)
        try trainer.trainStep()
        let before = try weights(trainer)
        algorithm.poisoned = true
        let m = try trainer.trainStep()
        #expect(m["nonfinite_skipped"] == 1)
        #expect(try weights(trainer) == before, "no optimizer step with a NaN loss")
        algorithm.poisoned = false
        let next = try trainer.trainStep()
        #expect(next["nonfinite_skipped"] == nil)
        #expect(trainer.consecutiveNonFiniteSteps == 0, "a good step resets the count")
        #expect(try weights(trainer) != before)
    }

    @Test func kBadStepsInARowStopTheRun() throws {
        let algorithm = PoisonableLoss()
        algorithm.poisoned = true
        let trainer = try trainer(algorithm, maxNonFinite: 2)
        try trainer.trainStep()
        #expect(throws: NumericalDivergence.self) { try trainer.trainStep() }
    }
}
