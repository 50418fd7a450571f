import Foundation
import Testing
@testable import Engine
@testable import Models
@testable import Training

@Suite struct AutocastTests {
    @Test func linearsComputeInBFloat16OnlyInside() throws {
        let x = try Tensor.randn([2, 4], generator: Generator(seed: 1))
        let w = try Tensor.randn([3, 4], generator: Generator(seed: 2))
        let inside = try withAutocast(.bfloat16, device: .cpu) { try NN.linear(x, weight: w) }
        #expect(inside.dtype == .bfloat16)
        #expect(try NN.linear(x, weight: w).dtype == .float32, "autocast ends with the block")
        #expect(try (inside.to(.float32) - NN.linear(x, weight: w)).abs().max().item() < 0.1)
        #expect(throws: TorchError.self) { try withAutocast(.float64, device: .cpu) { 0 } }
    }

    /// A bf16-autocast step against the same float32 step: the gradient agrees to bf16's
    /// precision but not bit for bit (the matmuls did run in bf16), and the weights stay float32.
    /// (On-policy the loss is Σ A·ρ with ρ ≡ 1, zero for centred advantages of equal lengths.)
    @Test func mixedPrecisionStepTracksTheFloat32Step() throws {
        func step(_ autocast: String) throws -> (loss: Double, norm: Double, trainer: Trainer) {
            var settings = TrainingConfiguration()
            settings = try settings.applying(["learning_rate": 3e-2, "prompts_per_step": 4, "max_new_tokens": 4, "micro_batch_size": 8,
                                              "seed": 2, "autocast": .string(autocast)], source: "test")
            let trainer = try Trainer(policy: TrainerTests().policy(seed: 2), algorithm: GroupBaseline(),
                                      rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                                      dataset: Prompts(), configuration: settings)
            var m = try trainer.trainStep()
            for _ in 0..<8 where m["advantage_abs_mean"]! == 0 { m = try trainer.trainStep() }
            return (m["loss"]!, m["grad_norm"]!, trainer)
        }
        let full = try step("none"), mixed = try step("bf16")
        #expect(full.norm != 0)
        #expect(mixed.norm != full.norm, "the bf16 step computed exactly what float32 did: autocast was not on")
        #expect(Swift.abs(mixed.norm - full.norm) < 0.05 * full.norm, "\(mixed.norm) vs \(full.norm)")
        #expect(Swift.abs(mixed.loss - full.loss) < 1e-3, "\(mixed.loss) vs \(full.loss)")
        #expect(mixed.trainer.policy.model.parameters().allSatisfy { $0.1.dtype == .float32 })
        #expect(mixed.trainer.configuration.autocast == .bfloat16)
    }

    /// Rollouts under mixed precision: the projections and the tied head multiply bf16 copies
    /// of the weights inside the call only; afterwards the model computes in float32 as before,
    /// also when the body throws.
    @Test func samplingInLowPrecisionUsesCopiesOnlyInside() throws {
        let model = try TrainerTests().policy(seed: 3).model
        let tokens = try Tensor([5, 9, 12, 7, 3] as [Int64], shape: [1, 5])
        let before = try withNoGrad { try model(tokens) }
        let inside = try model.sampling(in: .bfloat16) {
            #expect(model.blocks[0].mlp.up.lowPrecision?.weight.dtype == .bfloat16)
            #expect(model.tiedHeadLowPrecision?.dtype == .bfloat16)
            return try withNoGrad { try model(tokens) }
        }
        #expect(inside.dtype == .float32, "the logits stay in the compute dtype")
        let gap: Double = try (inside - before).abs().max().item()
        let scale: Double = try before.abs().max().item()
        #expect(gap > 0 && gap < 0.05 * scale, "\(gap) against logits up to \(scale)")
        // A pass that records gradients inside computes with the float32 weights themselves.
        let recorded = try model.sampling(in: .bfloat16) { try model(tokens) }
        #expect(try (recorded.detached() - before).abs().max().item() == 0.0)
        #expect(model.blocks[0].mlp.up.lowPrecision == nil && model.tiedHeadLowPrecision == nil)
        let after = try withNoGrad { try model(tokens) }
        #expect(try (after - before).abs().max().item() == 0.0)
        struct Stop: Error {}
        #expect(throws: Stop.self) { try model.sampling(in: .bfloat16) { throw Stop() } }
        #expect(model.blocks[0].attention.q.lowPrecision == nil)
        #expect(throws: ModelError.self) { try model.sampling(in: .float64) { 0 } }
    }
}
