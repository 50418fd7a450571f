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

    /// Each epoch after the first deals whole groups into the mini-batches in a new order, drawn
    /// from the seed, the step and the epoch only.
    @Test func laterEpochsReshuffleWholeGroups() throws {
        let trainer = try Trainer(policy: TrainerTests().policy(seed: 2), algorithm: RecordingBaseline(),
                                  rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                                  dataset: Prompts(), configuration: TrainingConfiguration().applying(
                                      ["prompts_per_step": 6, "group_size": 3, "steps": 4], source: "test"))
        let orders = (1...3).map { trainer.epochRowOrder(groups: 6, epoch: $0) }
        for order in orders {
            #expect(order.sorted() == Array(0..<18))
            for g in 0..<6 { #expect(order[(3 * g)..<(3 * g + 3)].map { $0 % 3 } == [0, 1, 2], "groups stay whole") }
        }
        #expect(Set(orders.map { $0 }).count == 3, "each epoch its own order")
        #expect(trainer.epochRowOrder(groups: 6, epoch: 1) == orders[0], "the order is a function of seed, step and epoch")
    }

    /// Two epochs of two mini-batches: every epoch trains each completion exactly once, each
    /// mini-batch normalised by its own tokens; the second epoch mixes the groups differently.
    @Test func everyEpochTrainsEachCompletionOnceInItsOwnMix() throws {
        let recorder = RecordingBaseline()
        let settings = try TrainingConfiguration().applying(
            ["learning_rate": 1e-2, "prompts_per_step": 4, "max_new_tokens": 4, "steps": 6, "micro_batch_size": 4, "seed": 2,
             "weight_decay": 0, "mini_batches": 2, "mu": 2, "skip_inert_groups": false], source: "test")
        let trainer = try Trainer(policy: TrainerTests().policy(seed: 2), algorithm: recorder,
                                  rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                                  dataset: Prompts(), configuration: settings)
        var mixed = 0
        for _ in 0..<4 {
            let before = recorder.calls.count
            try trainer.trainStep()
            let calls = Array(recorder.calls[before...])
            try #require(calls.count == 8, "2 epochs × 2 mini-batches × 2 micro-batches of 4 rows")
            let epochs = [Array(calls[0..<4]), Array(calls[4..<8])]
            for epoch in epochs {
                #expect(epoch[0].stepTokens == epoch[0].tokens + epoch[1].tokens)
                #expect(epoch[2].stepTokens == epoch[2].tokens + epoch[3].tokens)
            }
            // Each mini-batch as the sorted fingerprints of its rows (a multiset: two samples may repeat).
            func miniBatches(_ epoch: [RecordingBaseline.Call]) -> [[Float]] {
                [(epoch[0].rowFingerprints + epoch[1].rowFingerprints).sorted(), (epoch[2].rowFingerprints + epoch[3].rowFingerprints).sorted()]
            }
            let first = miniBatches(epochs[0]), second = miniBatches(epochs[1])
            #expect((first[0] + first[1]).sorted() == (second[0] + second[1]).sorted(), "each completion once in each epoch")
            if Set(first) != Set(second) { mixed += 1 }
        }
        #expect(mixed > 0, "some step's second epoch puts other groups together")
    }
}
