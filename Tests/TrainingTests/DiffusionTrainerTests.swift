import Foundation
import Testing
@testable import Engine
@testable import Models
import RLRunSDK
import Tokenizers
@testable import Training

/// Masks each eligible position with probability `rate`, drawn from the request's seed, and
/// records every request.
final class RecordingMasker: @unchecked Sendable {
    let rate: Double
    var requests: [MaskingRequest] = []
    init(rate: Double) { self.rate = rate }

    var needsAttention = false

    var masker: PromptMasker {
        PromptMasker(needsAttention: needsAttention) { [self] request in
            requests.append(request)
            var state = request.seed &* 0x9E37_79B9_7F4A_7C15 | 1
            let mask = request.eligible.map { eligible -> Bool in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return eligible && Double(state >> 11) / Double(1 << 53) < rate
            }
            return MaskingChoice(mask: mask, rate: rate)
        }
    }
}

@Suite struct DiffusionTrainerTests {
    func policy(seed: UInt64) throws -> Policy {
        let tokenizer = CharacterTokenizer.standard
        let configuration = try ModelConfiguration.smallMaskedDiffusion(
            vocabularySize: tokenizer.vocabularySize + 1, maskTokenID: tokenizer.vocabularySize, eosTokenIDs: [2],
            hiddenSize: 32, layers: 1, attentionHeads: 2, maxPositions: 64)
        let model = try Transformer(configuration: configuration, weights: .random(generator: Generator(seed: seed), std: 0.02,
                                                                                    dtype: .float32, device: .cpu))
        return try Policy(model: model, tokenizer: tokenizer, formatPrompt: { $0.prompt + ":" })
    }

    func trainer(seed: UInt64 = 1, mu: Int = 2, learningRate: Double = 3e-2, masker: RecordingMasker,
                 group: ProcessGroup? = nil) throws -> Trainer {
        var settings = TrainingConfiguration()
        settings = try settings.applying([
            "learning_rate": .number(learningRate), "prompts_per_step": 4, "max_new_tokens": 4, "block_length": 2,
            "diffusion_steps": 4, "steps": 30, "micro_batch_size": 8, "seed": .number(Double(seed)), "weight_decay": 0,
            "temperature": 1.0,
        ], source: "test")
        return try Trainer(policy: policy(seed: seed), algorithm: GroupBaseline(policy: .maskedDiffusion, mu: mu),
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: settings, masker: masker.masker, group: group)
    }

    @Test func rewardRisesOverAShortRun() throws {
        try expectRewardRises(trainer(masker: RecordingMasker(rate: 0.15)))
    }

    /// Each update asks for its own mask once, right after generation, over the prompt
    /// positions only; old log-probs are stored under that same mask, so with (almost) no
    /// learning the ratio is 1 in every update: a mask asked for again would not give that.
    @Test func everyUpdateReusesItsOwnStoredMask() throws {
        let recorder = RecordingMasker(rate: 0.5)
        let trainer = try trainer(mu: 3, learningRate: 1e-12, masker: recorder)
        let m = try trainer.trainStep()
        // One request per row and update, so that a row's mask never depends on its neighbours.
        #expect(recorder.requests.count == 3 * 16)
        #expect(Set(stride(from: 0, to: 48, by: 16).map { recorder.requests[$0].seed }).count == 3, "a fresh seed per update")
        #expect(Set(recorder.requests.prefix(16).map(\.seed)).count == 16, "a seed per row")
        let request = recorder.requests[0]
        #expect(request.batch == 1)
        // Prompts are "Qn:" (3 characters): every real prompt position and nothing else is eligible.
        #expect(request.eligible == [true, true, true])
        #expect(Swift.abs(m["ratio_mean"]! - 1) < 1e-5, "ratio \(m["ratio_mean"]!)")
        #expect(m["mask_rate"] == 0.5)
    }

    /// Two ranks (threads, Gloo on loopback) with the same global batch as one process sample the
    /// same completions, draw the same masks and reach the same weights.
    @Test func twoRanksTrainLikeOneProcess() throws {
        struct Outcome: @unchecked Sendable {
            let parameters: [[Float]]
            let rewards: [Double]
        }
        func train(ranks: Int) throws -> [Outcome] {
            try onRanks(ranks, timeout: 60) { group in
                let trainer = try self.trainer(seed: 3, masker: RecordingMasker(rate: 0.3), group: group)
                let rewards = try (0..<3).map { _ in try trainer.trainStep()["reward_mean"]! }
                return Outcome(parameters: try trainer.policy.model.parameters().map { try $0.1.toArray(Float.self) }, rewards: rewards)
            }
        }
        let single = try train(ranks: 1)[0], pair = try train(ranks: 2)
        let initial = try policy(seed: 3).model.parameters().map { try $0.1.toArray(Float.self) }
        #expect(pair[0].rewards == single.rewards, "the same completions and rewards")
        #expect(pair[0].parameters == pair[1].parameters, "the ranks hold identical weights")
        expectSameWeights(single.parameters, pair[0].parameters, startingFrom: initial)
    }

    /// A masking strategy that asks for attention gets, for every prompt, the attention each of
    /// its positions receives: non-negative, and at most one per real query of the row.
    @Test func aMaskerThatAsksForAttentionGetsIt() throws {
        let recorder = RecordingMasker(rate: 0.15)
        recorder.needsAttention = true
        try trainer(masker: recorder).trainStep()
        #expect(!recorder.requests.isEmpty)
        for request in recorder.requests {
            let attention = try #require(request.attention)
            #expect(attention.count == request.length)
            #expect(attention.allSatisfy { $0 >= 0 && $0.isFinite })
            #expect(attention.reduce(0, +) > 0)
        }
        let plain = RecordingMasker(rate: 0.15)
        try trainer(masker: plain).trainStep()
        #expect(plain.requests.allSatisfy { $0.attention == nil }, "only a masker that asks pays for it")
    }

    @Test func causalAlgorithmsRefuseAMaskedDiffusionPolicy() throws {
        #expect(throws: ConfigurationError.self) {
            try Trainer(policy: policy(seed: 1), algorithm: GroupBaseline(),
                        rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                        dataset: Prompts(), configuration: TrainingConfiguration())
        }
    }

    @Test func runsAreReproducibleFromTheSeed() throws {
        let a = try trainer(seed: 5, masker: RecordingMasker(rate: 0.15))
        let b = try trainer(seed: 5, masker: RecordingMasker(rate: 0.15))
        for _ in 0..<2 {
            let ma = try a.trainStep(), mb = try b.trainStep()
            #expect(ma["reward_mean"] == mb["reward_mean"])
            #expect(ma["loss"] == mb["loss"])
        }
    }
}
