import Foundation
import Testing
@testable import Engine
@testable import Models

/// A 4-bit (NF4) frozen base under LoRA: memory, logits, training, saving and merging.
struct QuantizedTransformerTests {
    /// A tiny random Qwen2-style model (q/k/v biases, an untied head, the built-in model's
    /// N(0, 0.02) initialisation), every projection's element count a multiple of 64.
    func tinyModel(seed: UInt64 = 0) throws -> Transformer {
        let configuration = ModelConfiguration(modelType: "qwen2", hiddenSize: 64, layers: 2, attentionHeads: 4,
                                               keyValueHeads: 2, intermediateSize: 128, vocabularySize: 96,
                                               attentionBias: true)
        return try Transformer(configuration: configuration,
                               weights: .random(generator: Generator(seed: seed), dtype: .float32, device: .cpu))
    }

    let tokens: Tensor
    init() throws { tokens = try Tensor([Int64(3), 17, 42, 5, 88, 61, 9, 30], shape: [1, 8]) }

    func bytes(_ named: [(String, Tensor)]) -> Int { named.reduce(0) { $0 + $1.1.count * $1.1.dtype.byteSize } }
    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }
    func relativeError(_ a: Tensor, of reference: Tensor) throws -> Double {
        try (a - reference).square().sum().sqrt().item() / reference.square().sum().sqrt().item()
    }

    @Test func projectionsShrinkToAnEighthPlusTheirScales() throws {
        let model = try tinyModel()
        let projectionWeights = model.parameters().filter { $0.0.hasSuffix("_proj.weight") }
        let before = bytes(model.parameters())
        let dense = bytes(projectionWeights)
        let report = try model.quantizeBase(blockSize: 64)

        #expect(report.layers == 7 * 2)
        #expect(report.denseBytes == dense)
        // f32: 4 bytes per weight → half a byte of code + a 4-byte scale per 64 weights.
        #expect(report.quantizedBytes == dense / 8 + dense / 4 / 64 * 4)
        #expect(report.modelBytesBefore == before)
        #expect(report.otherBytes == bytes(model.parameters()))
        #expect(report.modelBytesAfter == before - dense + report.quantizedBytes)
        #expect(model.isQuantized && model.head?.isQuantized == false)
        // The optimiser-facing list no longer holds projection weights; biases and the rest remain.
        #expect(!model.parameters().contains { $0.0.hasSuffix("_proj.weight") })
        #expect(model.parameters().contains { $0.0 == "model.layers.0.self_attn.q_proj.bias" })
        #expect(model.parameters().contains { $0.0 == "model.embed_tokens.weight" })
        #expect { try model.quantizeBase() } throws: { "\($0)".contains("already") }
    }

    /// The on-the-fly path computes exactly what a dense model holding the dequantized weights
    /// computes. The rounding itself: NF4's RMS error on Gaussian blocks of 64 is ≈ 0.09 of the
    /// weights' RMS, so one projection's output errs by about that much; two blocks of
    /// attention and MLP chain several such errors, which add roughly in quadrature (≈ 0.13
    /// measured here, 0.25 allowed), and the model must suffer no more from NF4 than from
    /// Gaussian noise of the same RMS in every projection (NF4 is noise-like, not biased).
    @Test func quantizedLogitsStayCloseToTheDenseModel() throws {
        let dense = try tinyModel()
        let expected = try withNoGrad { try dense(tokens) }
        let quantized = try tinyModel()
        try quantized.quantizeBase()
        let logits = try withNoGrad { try quantized(tokens) }
        let pairs = zip(dense.projections(LoRAConfiguration.allProjections), quantized.projections(LoRAConfiguration.allProjections))
            .map { ($0.1, $1.1) }

        let substituted = try tinyModel()
        for ((_, target), (_, source)) in zip(substituted.projections(LoRAConfiguration.allProjections), pairs) {
            try target.replaceWeight(with: source.weight)
        }
        #expect(try maxDifference(withNoGrad { try substituted(tokens) }, logits) < 1e-6)

        let x = try Tensor.randn([64, 64], generator: Generator(seed: 9))
        let projectionError = try relativeError(pairs[0].1(x), of: pairs[0].0(x))
        #expect(projectionError > 0.07 && projectionError < 0.13, "q_proj output error \(projectionError)")

        let noisy = try tinyModel()
        let generator = try Generator(seed: 4)
        for ((_, target), (original, rounded)) in zip(noisy.projections(LoRAConfiguration.allProjections), pairs) {
            let weight = try original.weight
            let rms = try (rounded.weight - weight).square().mean().sqrt().item()
            try target.replaceWeight(with: weight + Tensor.randn(weight.shape, generator: generator) * rms)
        }
        let noiseError = try relativeError(withNoGrad { try noisy(tokens) }, of: expected)
        let error = try relativeError(logits, of: expected)
        #expect(error > 0.01 && error < 0.25, "relative logit error \(error)")
        #expect(error < 1.3 * noiseError, "NF4 \(error) against equal-RMS noise \(noiseError)")
        let unrelated = try withNoGrad { try tinyModel(seed: 1)(tokens) }
        #expect(try relativeError(unrelated, of: expected) > 0.8)
    }

    @Test func loraTrainsOnTopOfAFrozenFourBitBase() throws {
        let model = try tinyModel()
        try model.quantizeBase()
        let parameters = try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0), generator: Generator(seed: 5))
        #expect(parameters.count == 2 * 7 * 2)
        #expect(model.parameters().allSatisfy { !$0.1.requiresGrad })

        let layers = model.projections(LoRAConfiguration.allProjections).map(\.1)
        let codesBefore = try layers.map { try $0.quantizedWeight!.codes.toArray(UInt8.self) }
        let scalesBefore = try layers.map { try $0.quantizedWeight!.absmax.toArray(Float.self) }
        let otherBefore = try model.parameters().map { try $0.1.toArray(Float.self) }
        let base = try withNoGrad { try model.withAdaptersDisabled { try model(tokens) } }

        // A toy target: predict token 7 everywhere.
        let targets = try Tensor([Int64](repeating: 7, count: tokens.size(1)))
        let optimizer = try AdamW(parameters: parameters, options: .init(weightDecay: 0))
        var losses: [Double] = []
        for _ in 0..<15 {
            let logits = try model(tokens).reshape([tokens.size(1), -1])
            let loss = try NN.crossEntropy(logits, targets: targets)
            try loss.backward()
            #expect(parameters.allSatisfy { $0.grad != nil })
            try optimizer.step(lr: 1e-2)
            try optimizer.zeroGrad()
            losses.append(try loss.item())
        }
        // The frozen N(0, 0.02) head bounds how confident the model can get (the loss levels
        // off near 3.2 from 4.7), so "falls" means by a fifth, not to zero.
        #expect(losses.last! < 0.8 * losses.first!, "losses \(losses)")
        #expect(try layers.map { try $0.quantizedWeight!.codes.toArray(UInt8.self) } == codesBefore)
        #expect(try layers.map { try $0.quantizedWeight!.absmax.toArray(Float.self) } == scalesBefore)
        #expect(try model.parameters().map { try $0.1.toArray(Float.self) } == otherBefore)
        #expect(model.parameters().allSatisfy { $0.1.grad == nil })
        // The adapters switched off still give the quantized base.
        #expect(try maxDifference(withNoGrad { try model.withAdaptersDisabled { try model(tokens) } }, base) == 0)
    }

    @Test func savingWritesDequantizedWeightsThatLoadAsADenseModel() throws {
        let model = try tinyModel()
        try model.quantizeBase()
        let expected = try withNoGrad { try model(tokens) }
        let folder = temporaryFolder("nf4-save")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)

        let loaded = try Transformer(folder: folder)
        #expect(!loaded.isQuantized)
        #expect(try maxDifference(withNoGrad { try loaded(tokens) }, expected) < 1e-6)
    }

    @Test func mergingIntoAFourBitBaseDequantizesThoseLayers() throws {
        let model = try tinyModel()
        try model.quantizeBase()
        try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "down_proj"]),
                          generator: Generator(seed: 5))
        let generator = try Generator(seed: 6)
        try withNoGrad {
            for (_, layer) in model.projections(LoRAConfiguration.allProjections) {
                guard let lora = layer.lora else { continue }
                try lora.b.copyInPlace(from: Tensor.randn(lora.b.shape, generator: generator) * 0.05)
            }
        }
        let adapted = try withNoGrad { try model(tokens) }
        try model.mergeLoRA()
        #expect(!model.blocks[0].attention.q.isQuantized && !model.blocks[1].mlp.down.isQuantized)
        #expect(model.blocks[0].attention.k.isQuantized && model.blocks[0].mlp.up.isQuantized)
        #expect(try maxDifference(withNoGrad { try model(tokens) }, adapted) < 1e-5)
    }
}
