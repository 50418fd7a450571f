import Testing
@testable import Engine
import RLRunSDK
@testable import Training

@Suite struct MiniBatchTests {
    @Test func sharesAreWholeGroupsAsEvenAsCanBe() {
        #expect(Trainer.miniBatchShares(groups: 5, groupSize: 2, count: 2) == [0..<6, 6..<10])
        #expect(Trainer.miniBatchShares(groups: 4, groupSize: 4, count: 1) == [0..<16])
        #expect(Trainer.miniBatchShares(groups: 1, groupSize: 3, count: 3) == [0..<3, 3..<3, 3..<3])
    }

    /// Two mini-batches of two groups each: two optimizer steps, each normalised by its own
    /// tokens and sequences, the second one scored after the first has moved the policy.
    @Test func eachMiniBatchIsAnOptimizerStepOfItsOwn() throws {
        let recorder = RecordingBaseline()
        let settings = try TrainingConfiguration().applying(
            ["learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "steps": 4, "micro_batch_size": 4, "seed": 2,
             "weight_decay": 0, "mini_batches": 2, "skip_inert_groups": false], source: "test")
        let trainer = try Trainer(policy: TrainerTests().policy(seed: 2), algorithm: recorder,
                                  rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                                  dataset: Prompts(), configuration: settings)
        // A step whose first mini-batch carries signal, so its optimizer step moves the policy.
        func firstShareHasSignal() -> Bool { recorder.calls.count >= 4 && recorder.calls.suffix(4).prefix(2).contains { $0.signal > 0 } }
        try trainer.trainStep()
        for _ in 0..<8 where !firstShareHasSignal() { try trainer.trainStep() }
        try #require(firstShareHasSignal())
        #expect(trainer.optimizerStep % 2 == 0 && trainer.optimizerStep > 0)
        let last = Array(recorder.calls.suffix(4))   // 2 mini-batches × 2 micro-batches of 4 rows
        #expect(last.map(\.rows) == [4, 4, 4, 4])
        #expect(last[0].stepTokens == last[0].tokens + last[1].tokens)
        #expect(last[2].stepTokens == last[2].tokens + last[3].tokens)
        #expect(last.allSatisfy { $0.stepSequences == 8 })
        #expect(last[0].drift < 1e-5 && last[1].drift < 1e-5, "the first mini-batch is on-policy")
        #expect(last[2].drift > 1e-4, "the second comes after an optimizer step")
    }
}
