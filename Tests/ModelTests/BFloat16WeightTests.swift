import Foundation
import Testing
@testable import Engine
@testable import Models

/// Weight matrices kept in bf16 under float32 compute, as a bf16 checkpoint is stored: the
/// model computes what the same checkpoint widened to float32 at load computes.
struct BFloat16WeightTests {
    /// A bf16 folder of a tiny Qwen2-style model (q/k/v biases, a tied head).
    func bfloat16Folder() throws -> URL {
        let configuration = ModelConfiguration(modelType: "qwen2", hiddenSize: 64, layers: 2, attentionHeads: 4,
                                               keyValueHeads: 2, intermediateSize: 128, vocabularySize: 96,
                                               tieWordEmbeddings: true, attentionBias: true)
        let model = try Transformer(configuration: configuration,
                                    weights: .random(generator: Generator(seed: 11), dtype: .float32, device: .cpu))
        // Norm weights away from 1 and non-zero biases, so that every kind of tensor matters.
        let noise = try Generator(seed: 12)
        for (_, parameter) in model.parameters() {
            try withNoGrad { try parameter.addInPlace(Tensor.randn(parameter.shape, generator: noise) * 0.05) }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-bf16-weights-\(UUID().uuidString)")
        try model.save(to: folder, dtype: .bfloat16)
        return folder
    }

    @Test func logitsAndGreedyTokensEqualTheWidenedCheckpoint() throws {
        let folder = try bfloat16Folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let widened = try Transformer(folder: folder, dtype: .float32)
        let stored = try Transformer(folder: folder, dtype: .float32, weightDType: .bfloat16)
        #expect(stored.embedding.dtype == .bfloat16 && stored.blocks[0].mlp.parameters("mlp").allSatisfy { $0.1.dtype == .bfloat16 })
        #expect(stored.norm.weight.dtype == .float32, "norms stay in the compute dtype")
        #expect(stored.blocks[0].attention.parameters("a").contains { $0.0 == "a.q_proj.bias" && $0.1.dtype == .float32 })

        // One row (the decoding kernel) and a longer sequence (libtorch with the weight widened per call).
        for length in [1, 9, 160] {
            let tokens = try Tensor.randint(0, 96, [2, length], generator: Generator(seed: UInt64(length)))
            let want = try withNoGrad { try widened(tokens) }, got = try withNoGrad { try stored(tokens) }
            #expect(got.dtype == .float32)
            let scale: Double = try want.abs().max().item()
            let worst: Double = try (got - want).abs().max().item()
            #expect(worst <= 1e-5 * scale, "length \(length): off by \(worst) of \(scale)")
        }
        let prompts = [[3, 17, 42, 5], [88, 61]]
        let options = SamplingOptions.greedy(maxNewTokens: 24, stopTokenIDs: [])
        let a = try widened.generate(prompts: prompts, options: options, generator: Generator(seed: 1))
        let b = try stored.generate(prompts: prompts, options: options, generator: Generator(seed: 1))
        #expect(a.tokens == b.tokens)
    }

    @Test func savingKeepsTheStoredDTypeAndReloads() throws {
        let folder = try bfloat16Folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stored = try Transformer(folder: folder, dtype: .float32, weightDType: .bfloat16)
        let copy = folder.appendingPathComponent("copy")
        try stored.save(to: copy)
        let config = try String(contentsOf: copy.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"bfloat16\""), "config.json names the matrices' dtype")
        let reloaded = try Transformer(folder: copy, dtype: .float32, weightDType: .bfloat16)
        let tokens = try Tensor([Int64(3), 17, 42], shape: [1, 3])
        let worst: Double = try withNoGrad { try (reloaded(tokens) - stored(tokens)).abs().max().item() }
        #expect(worst == 0)
    }

    @Test func bfloat16WeightsNeedFloat32Compute() throws {
        let configuration = ModelConfiguration(modelType: "llama", hiddenSize: 32, layers: 1, attentionHeads: 2,
                                               keyValueHeads: 1, intermediateSize: 64, vocabularySize: 40)
        #expect {
            try Transformer(configuration: configuration, weights: .random(generator: Generator(seed: 0), dtype: .float16,
                                                                            weightDType: .bfloat16, device: .cpu))
        } throws: { "\($0)".contains("need float32 compute") }
        let same = try Transformer(configuration: configuration, weights: .random(generator: Generator(seed: 0), dtype: .bfloat16,
                                                                                   weightDType: .bfloat16, device: .cpu))
        #expect(same.weightDType == .bfloat16)
    }

    /// LoRA over a bf16 base: fresh adapters change nothing, only the adapters get gradients,
    /// and those equal the gradients over the widened checkpoint.
    @Test func loraTrainsOverAFrozenBFloat16Base() throws {
        let folder = try bfloat16Folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokens = try Tensor([Int64(3), 17, 42, 5, 88, 61], shape: [1, 6])
        var gradients: [[Float]] = []
        for weightDType in [nil, DType.bfloat16] {
            let model = try Transformer(folder: folder, dtype: .float32, weightDType: weightDType)
            let base = try withNoGrad { try model(tokens) }
            let adapters = try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0), generator: Generator(seed: 1))
            #expect(try withNoGrad { try (model(tokens) - base).abs().max().item() as Double } == 0)
            try NN.logSoftmax(model(tokens), dim: -1).select(dim: 2, index: 7).sum().backward()
            #expect(model.parameters().allSatisfy { $0.1.grad == nil }, "the base stays frozen")
            gradients.append(try adapters.flatMap { try #require($0.grad).toArray(Float.self) })
        }
        let worst = zip(gradients[0], gradients[1]).map { abs($0 - $1) }.max() ?? 0
        let scale = gradients[0].map { abs($0) }.max() ?? 1
        #expect(scale > 0 && worst <= 1e-4 * scale, "adapter gradients off by \(worst) of \(scale)")
    }
}
