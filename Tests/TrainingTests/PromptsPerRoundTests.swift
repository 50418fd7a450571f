import Testing
@testable import Engine
@testable import Models
import RLRunSDK
@testable import Training

/// Dynamic sampling that keeps every other group of a round (the first, third, ...).
final class EveryOtherGroup: Algorithm {
    let inner = GroupBaseline()
    var requirements: AlgorithmRequirements { AlgorithmRequirements(policy: .causal, groupSize: 4, mu: 1, maxGenerationRounds: 5) }
    func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool] { (0..<rollout.groupCount).map { $0 % 2 == 0 } }
    func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs { try inner.advantages(inputs) }
    func loss(_ inputs: LossInputs) throws -> LossOutputs { try inner.loss(inputs) }
}

/// `prompts_per_round` (verl's gen_batch_size): dynamic-sampling rounds of more prompts than
/// the step trains.
@Suite struct PromptsPerRoundTests {
    func trainer(_ settings: [String: JSONValue], algorithm: any Algorithm = EveryOtherGroup()) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration = try configuration.applying(["learning_rate": 1e-2, "prompts_per_step": 2, "max_new_tokens": 4, "seed": 5]
            .merging(settings) { $1 }, source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 5), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: configuration)
    }

    @Test func largerRoundsNeedFewerOfThem() throws {
        // Rounds of 2 keep 1 group each: 2 rounds for the step's 2. One round of 4 keeps 2.
        let byStep = try trainer([:]).trainStep()
        #expect(byStep["generation_rounds"] == 2 && byStep["groups_kept"] == 2 && byStep["groups_dropped"] == 2)
        let byRound = try trainer(["prompts_per_round": 4]).trainStep()
        #expect(byRound["generation_rounds"] == 1 && byRound["groups_kept"] == 2 && byRound["groups_dropped"] == 2)
        // Rounds of 6 keep 3: the third kept group is generated and dropped with the rest.
        let more = try trainer(["gen_batch_size": 6]).trainStep()
        #expect(more["generation_rounds"] == 1 && more["groups_kept"] == 2 && more["groups_dropped"] == 4)
    }

    @Test func refusedWhereEveryGroupIsKept() {
        #expect { try trainer(["prompts_per_round": 4], algorithm: GroupBaseline()) } throws: {
            "\($0)".contains("prompts_per_round") && "\($0)".contains("dynamic sampling")
        }
        // As many as the step trains is the default, whatever the algorithm.
        #expect(throws: Never.self) { try trainer(["prompts_per_round": 2], algorithm: GroupBaseline()) }
    }

    @Test func fewerThanTheStepTrainsIsRefused() {
        #expect { try TrainingConfiguration().applying(["prompts_per_step": 4, "prompts_per_round": 3], source: "run.yaml") } throws: {
            "\($0)".contains("run.yaml") && "\($0)".contains("prompts_per_round (3) must be at least prompts_per_step (4)")
        }
    }
}
