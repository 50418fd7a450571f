import Foundation
import Testing
@testable import Engine
@testable import Models

@Suite(.enabled(if: parityFolder != nil, "needs ../shared/parity/tiny-qwen2"))
struct LoRATests {
    let tokens: Tensor
    init() throws { tokens = try Tensor([Int64(412), 300, 223, 70, 87], shape: [1, 5]) }

    func fresh() throws -> Transformer { try Transformer(folder: try #require(parityFolder)) }

    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }

    /// Gives every B a non-zero value so that the adapters change the outputs.
    func perturb(_ model: Transformer, seed: UInt64) throws {
        let generator = try Generator(seed: seed)
        try withNoGrad {
            for (_, layer) in model.projections(LoRAConfiguration.allProjections) {
                guard let lora = layer.lora else { continue }
                try lora.b.copyInPlace(from: Tensor.randn(lora.b.shape, generator: generator) * 0.05)
            }
        }
    }

    @Test func freshAdaptersChangeNothingAndOnlyAdaptersTrain() throws {
        let model = try fresh()
        let before = try withNoGrad { try model(tokens) }
        let parameters = try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0), generator: Generator(seed: 1))
        #expect(parameters.count == 2 * 7 * model.configuration.layers)
        #expect(parameters.allSatisfy { $0.requiresGrad })
        #expect(model.parameters().allSatisfy { !$0.1.requiresGrad })
        let after = try withNoGrad { try model(tokens) }
        #expect(try maxDifference(after, before) == 0)
    }

    @Test func disabledAdaptersGiveTheBaseModel() throws {
        let model = try fresh()
        let base = try withNoGrad { try model(tokens) }
        try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0), generator: Generator(seed: 1))
        try perturb(model, seed: 2)
        let adapted = try withNoGrad { try model(tokens) }
        let disabled = try withNoGrad { try model.withAdaptersDisabled { try model(tokens) } }
        #expect(try maxDifference(adapted, base) > 1e-3)
        #expect(try maxDifference(disabled, base) == 0)
    }

    @Test func savedAdapterReloadsToIdenticalLogitsInPEFTLayout() throws {
        let model = try fresh()
        try model.addLoRA(LoRAConfiguration(rank: 4, alpha: 8, dropout: 0.1, targetModules: ["q_proj", "v_proj"]),
                          generator: Generator(seed: 1))
        try perturb(model, seed: 3)
        model.setTraining(false)
        let expected = try withNoGrad { try model(tokens) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.saveLoRA(to: folder, baseModel: "tiny-qwen2")

        let file = try SafeTensorsFile(url: folder.appendingPathComponent("adapter_model.safetensors"))
        #expect(file.tensorNames.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        #expect(file.tensorNames.contains("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"))
        #expect(file.tensorNames.count == 2 * 2 * model.configuration.layers)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("adapter_config.json"))) as? [String: Any]
        #expect(config?["peft_type"] as? String == "LORA")
        #expect(config?["r"] as? Int == 4)

        let reloaded = try fresh()
        try reloaded.loadLoRA(from: folder, generator: Generator(seed: 99))
        reloaded.setTraining(false)
        let reloadedLogits = try withNoGrad { try reloaded(tokens) }
        #expect(try maxDifference(reloadedLogits, expected) < 1e-6)
    }

    @Test func mergingKeepsTheOutputs() throws {
        let model = try fresh()
        try model.addLoRA(LoRAConfiguration(rank: 2, alpha: 4, dropout: 0), generator: Generator(seed: 1))
        try perturb(model, seed: 4)
        let withAdapters = try withNoGrad { try model(tokens) }
        try model.mergeLoRA()
        #expect(model.loraParameters().isEmpty)
        let merged = try withNoGrad { try model(tokens) }
        #expect(try maxDifference(merged, withAdapters) < 1e-4)
    }

    @Test func unknownTargetsAreRefused() throws {
        let model = try fresh()
        let generator = try Generator(seed: 0)
        #expect(throws: ModelError.self) {
            _ = try model.addLoRA(LoRAConfiguration(targetModules: ["qkv"]), generator: generator)
        }
    }
}
