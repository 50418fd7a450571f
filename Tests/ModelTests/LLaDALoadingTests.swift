import Foundation
import Testing
@testable import Engine
@testable import Models

/// LLaDA folders written here with LLaDA's config fields and tensor names, checked against the
/// same weights under Qwen2 / Llama names.
struct LLaDALoadingTests {
    /// A tiny LLaDA config.json: GQA (4 heads, 2 key/value heads), an embedding padded beyond
    /// the tokenizer's vocabulary, an untied output layer.
    let lladaConfig: [String: Any] = [
        "model_type": "llada", "block_type": "llama", "d_model": 32, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2,
        "mlp_hidden_size": 48, "vocab_size": 60, "embedding_size": 64, "max_sequence_length": 128,
        "rope_theta": 500_000.0, "rms_norm_eps": 1e-5, "mask_token_id": 63, "eos_token_id": 62,
        "weight_tying": false, "include_bias": false,
    ]
    /// The same transformer as a Llama config.json.
    let llamaConfig: [String: Any] = [
        "model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "intermediate_size": 48, "vocab_size": 64, "max_position_embeddings": 128,
        "rope_theta": 500_000.0, "rms_norm_eps": 1e-5, "tie_word_embeddings": false,
    ]
    let tokens: Tensor

    init() throws { tokens = try Tensor([Int64(5), 17, 63, 2, 40, 63, 9, 33], shape: [1, 8]) }

    /// LLaDA's name for each Hugging Face name, written out from LLaDA's checkpoints (ff_proj
    /// is the SwiGLU gate, up_proj the up projection, ff_out the down projection).
    func lladaNames(layers: Int) -> [String: String] {
        var names = ["model.embed_tokens.weight": "model.transformer.wte.weight",
                     "model.norm.weight": "model.transformer.ln_f.weight",
                     "lm_head.weight": "model.transformer.ff_out.weight"]
        let modules = [("self_attn.q_proj", "q_proj"), ("self_attn.k_proj", "k_proj"), ("self_attn.v_proj", "v_proj"),
                       ("self_attn.o_proj", "attn_out"), ("mlp.gate_proj", "ff_proj"), ("mlp.up_proj", "up_proj"),
                       ("mlp.down_proj", "ff_out"), ("input_layernorm", "attn_norm"), ("post_attention_layernorm", "ff_norm")]
        for layer in 0..<layers {
            for (ours, theirs) in modules {
                names["model.layers.\(layer).\(ours).weight"] = "model.transformer.blocks.\(layer).\(theirs).weight"
            }
        }
        return names
    }

    /// Random weights by Hugging Face name; norms near 1 but not 1, so a swapped norm shows.
    func randomWeights(_ configuration: ModelConfiguration) throws -> [String: Tensor] {
        let generator = try Generator(seed: 5)
        let model = try Transformer(configuration: configuration, weights: .random(generator: generator, dtype: .float32, device: .cpu))
        var weights: [String: Tensor] = [:]
        for (name, tensor) in model.parameters() {
            let noise = try Tensor.randn(tensor.shape, generator: generator) * 0.2
            weights[name] = name.hasSuffix("norm.weight") ? try noise + 1 : noise
        }
        return weights
    }

    func write(_ config: [String: Any], _ tensors: [String: Tensor], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
    }

    /// A LLaDA folder and a Llama-named folder with the same weights.
    func writeBoth(dropping dropped: String? = nil) throws -> (llada: URL, llama: URL) {
        let configuration = try ModelConfiguration(json: llamaConfig, file: "config.json")
        let weights = try randomWeights(configuration)
        let names = lladaNames(layers: configuration.layers)
        let lladaTensors = Dictionary(uniqueKeysWithValues: weights.map { (names[$0.key]!, $0.value) }.filter { $0.0 != dropped })
        let root = temporaryFolder("llada")
        try write(lladaConfig, lladaTensors, to: root.appendingPathComponent("llada"))
        try write(llamaConfig, weights, to: root.appendingPathComponent("llama"))
        return (root.appendingPathComponent("llada"), root.appendingPathComponent("llama"))
    }

    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }

    @Test func configurationReadsLLaDAFields() throws {
        let c = try ModelConfiguration(json: lladaConfig, file: "config.json")
        #expect(c.modelType == "llada")
        #expect(c.maskedDiffusion)
        #expect(c.maskTokenID == 63)
        #expect((c.hiddenSize, c.layers, c.attentionHeads, c.keyValueHeads, c.headDimension) == (32, 2, 4, 2, 8))
        #expect(c.intermediateSize == 48)
        #expect(c.vocabularySize == 64, "embedding_size, the padded vocabulary, sizes the embedding and logits")
        #expect(c.maxPositions == 128)
        #expect(c.ropeTheta == 500_000)
        #expect(c.rmsNormEps == 1e-5)
        #expect(c.eosTokenIDs == [62])
        #expect(!c.tieWordEmbeddings)
        #expect(!c.attentionBias)
    }

    @Test func maskTokenDefaultsToLLaDAsAndMustBeInTheVocabulary() throws {
        var config = lladaConfig
        config["mask_token_id"] = nil
        config["embedding_size"] = 126_464
        #expect(try ModelConfiguration(json: config, file: "config.json").maskTokenID == 126_336)
        config["embedding_size"] = 64
        #expect { _ = try ModelConfiguration(json: config, file: "config.json") } throws: { "\($0)".contains("mask_token_id 126336") }
    }

    @Test func settingsOfOtherOLMoBlocksAreRefused() throws {
        var config = lladaConfig
        config["include_bias"] = true
        config["block_type"] = "sequential"
        #expect { _ = try ModelConfiguration(json: config, file: "config.json") } throws: { error in
            "\(error)".contains("include_bias true") && "\(error)".contains("block_type sequential")
        }
    }

    @Test func lladaFolderGivesTheLogitsOfTheSameWeightsUnderLlamaNames() throws {
        let (llada, llama) = try writeBoth()
        defer { try? FileManager.default.removeItem(at: llada.deletingLastPathComponent()) }
        let model = try Transformer(folder: llada)
        var configuration = try ModelConfiguration(contentsOf: llama.appendingPathComponent("config.json"))
        configuration.maskedDiffusion = true
        configuration.maskTokenID = 63
        let reference = try Transformer(configuration: configuration, weights: .checkpoint(folder: llama, dtype: .float32, device: .cpu))
        try withNoGrad {
            let logits = try model(tokens)
            #expect(logits.shape == [1, 8, 64])
            #expect(try maxDifference(logits, reference(tokens)) < 1e-6)
        }
    }

    @Test func missingLLaDATensorsAreListedByLLaDAsNames() throws {
        let (llada, _) = try writeBoth(dropping: "model.transformer.blocks.1.up_proj.weight")
        defer { try? FileManager.default.removeItem(at: llada.deletingLastPathComponent()) }
        #expect { _ = try Transformer(folder: llada) } throws: { "\($0)".contains("missing model.transformer.blocks.1.up_proj.weight") }
    }

    @Test func attentionIsBidirectionalOnlyForDiffusion() throws {
        let (llada, llama) = try writeBoth()
        defer { try? FileManager.default.removeItem(at: llada.deletingLastPathComponent()) }
        let diffusion = try Transformer(folder: llada)
        let causal = try Transformer(folder: llama)
        #expect(!causal.configuration.maskedDiffusion)
        var changed = try tokens.toArray(Int64.self)
        changed[6] = 50
        let later = try Tensor(changed, shape: [1, 8])
        try withNoGrad {
            for (model, seesAhead) in [(diffusion, true), (causal, false)] {
                let earlier = try model(tokens).slice(dim: 1, start: 0, end: 6)
                let difference = try maxDifference(earlier, model(later).slice(dim: 1, start: 0, end: 6))
                #expect((difference > 1e-4) == seesAhead, "\(model.configuration.modelType): \(difference)")
            }
        }
    }

    @Test func savedDiffusionModelReloadsAsLLaDA() throws {
        let model = try tinyDiffusionModel(seed: 3)
        let folder = temporaryFolder("llada-save")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let file = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        #expect(file.tensorNames.contains("model.transformer.blocks.0.ff_proj.weight"))
        let reloaded = try Transformer(folder: folder)
        #expect(reloaded.configuration.maskedDiffusion)
        #expect(reloaded.configuration.maskTokenID == tinyMaskID)
        let difference = try withNoGrad { try maxDifference(reloaded(tokens), model(tokens)) }
        #expect(difference == 0)
    }
}
