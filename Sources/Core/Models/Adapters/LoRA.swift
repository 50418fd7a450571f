import Engine
import Foundation

/// LoRA (Hu et al. 2021): y = W·x + (α/r)·B·A·dropout(x) with A [r, in], B [out, r]; W stays
/// frozen and only A and B train. B starts at zero, so a fresh adapter changes nothing.
public final class LoRAAdapter {
    public let a: Tensor
    public let b: Tensor
    public let scale: Double
    public let dropout: Double
    /// Off: the layer is the base model (reference log-probs without a second model copy).
    public var enabled = true
    /// Dropout is applied only while training.
    public var training = true
    private let generator: Generator

    init(a: Tensor, b: Tensor, alpha: Double, dropout: Double, generator: Generator) {
        self.a = a
        self.b = b
        self.scale = alpha / Double(a.size(0))
        self.dropout = dropout
        self.generator = generator
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var input = x
        if training && dropout > 0 && Autograd.isEnabled {
            let keep = try Tensor.rand(x.shape, dtype: x.dtype, device: x.device, generator: generator).ge(dropout)
            input = try x * keep.to(x.dtype) / (1 - dropout)
        }
        return try NN.linear(NN.linear(input, weight: a), weight: b) * scale
    }
}

/// Which layers get adapters, and their size; stored as PEFT's adapter_config.json.
public struct LoRAConfiguration: Sendable, Equatable {
    public var rank: Int
    public var alpha: Double
    public var dropout: Double
    public var targetModules: [String]

    public static let allProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

    public init(rank: Int = 8, alpha: Double = 16, dropout: Double = 0.05, targetModules: [String] = LoRAConfiguration.allProjections) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targetModules = targetModules
    }

    /// PEFT's adapter_config.json for these settings.
    func peftJSON(baseModel: String?) -> [String: Any] {
        [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": alpha, "lora_dropout": dropout,
            "target_modules": targetModules, "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
            "init_lora_weights": true, "use_rslora": false, "use_dora": false, "modules_to_save": NSNull(),
            "layers_to_transform": NSNull(), "layers_pattern": NSNull(), "rank_pattern": [String: Any](),
            "alpha_pattern": [String: Any](), "base_model_name_or_path": baseModel ?? NSNull(), "revision": NSNull(),
        ]
    }

    init(peftJSON json: [String: Any], file: String) throws {
        guard (json["peft_type"] as? String) == "LORA" else { throw ModelError("\(file): peft_type must be LORA") }
        guard let rank = json["r"] as? Int, let modules = json["target_modules"] as? [String] else {
            throw ModelError("\(file): needs \"r\" and \"target_modules\" (a list of module names)")
        }
        if (json["use_dora"] as? Bool) == true || (json["use_rslora"] as? Bool) == true {
            throw ModelError("\(file): DoRA and rsLoRA adapters are not supported")
        }
        self.init(rank: rank, alpha: (json["lora_alpha"] as? Double) ?? Double(rank),
                  dropout: (json["lora_dropout"] as? Double) ?? 0, targetModules: modules)
    }
}

extension Transformer {
    /// Every targeted projection by its Hugging Face module path, e.g. model.layers.0.self_attn.q_proj.
    func projections(_ targets: [String]) -> [(String, Linear)] {
        var result: [(String, Linear)] = []
        for (i, block) in blocks.enumerated() {
            let attention = [("q_proj", block.attention.q), ("k_proj", block.attention.k), ("v_proj", block.attention.v),
                             ("o_proj", block.attention.o)]
            let mlp = [("gate_proj", block.mlp.gate), ("up_proj", block.mlp.up), ("down_proj", block.mlp.down)]
            for (name, layer) in attention where targets.contains(name) {
                result.append(("model.layers.\(i).self_attn.\(name)", layer))
            }
            for (name, layer) in mlp where targets.contains(name) { result.append(("model.layers.\(i).mlp.\(name)", layer)) }
        }
        return result
    }

    /// Adds fresh adapters (A like PEFT's Kaiming-uniform init, B zero) to the targeted
    /// projections and returns the trainable parameters (A and B of every adapter).
    @discardableResult
    public func addLoRA(_ configuration: LoRAConfiguration, generator: Generator) throws -> [Tensor] {
        let layers = projections(configuration.targetModules)
        guard !layers.isEmpty else {
            throw ModelError("LoRA target modules \(configuration.targetModules) match no layer (use \(LoRAConfiguration.allProjections))")
        }
        for (_, layer) in layers {
            let (outputs, inputs) = (layer.outputs, layer.inputs)
            let bound = 1 / Double(inputs).squareRoot()
            let a = try ((Tensor.rand([configuration.rank, inputs], generator: generator) * 2 - 1) * bound)
                .to(device, dtype: dtype).requiringGrad()
            let b = try Tensor.zeros([outputs, configuration.rank], dtype: dtype, device: device).requiringGrad()
            layer.lora = LoRAAdapter(a: a, b: b, alpha: configuration.alpha, dropout: configuration.dropout, generator: generator)
        }
        loraConfiguration = configuration
        loraDropoutGenerator = generator
        return loraParameters()
    }

    /// A and B of every adapter, in a stable order.
    public func loraParameters() -> [Tensor] {
        projections(LoRAConfiguration.allProjections).flatMap { _, layer in layer.lora.map { [$0.a, $0.b] } ?? [] }
    }

    /// Runs `body` with every adapter switched off: the base model's outputs.
    public func withAdaptersDisabled<R>(_ body: () throws -> R) rethrows -> R {
        let adapters = projections(LoRAConfiguration.allProjections).compactMap(\.1.lora)
        adapters.forEach { $0.enabled = false }
        defer { adapters.forEach { $0.enabled = true } }
        return try body()
    }

    /// Switches adapter dropout on (training) or off (sampling, evaluation).
    public func setTraining(_ training: Bool) {
        projections(LoRAConfiguration.allProjections).forEach { $0.1.lora?.training = training }
    }

    /// Writes adapter_config.json and adapter_model.safetensors with PEFT's tensor names
    /// (`base_model.model.<module>.lora_A.weight`), so `PeftModel.from_pretrained` loads them.
    public func saveLoRA(to folder: URL, baseModel: String? = nil) throws {
        guard let configuration = loraConfiguration else { throw ModelError("the model has no LoRA adapters to save") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var tensors: [String: Tensor] = [:]
        for (path, layer) in projections(configuration.targetModules) {
            guard let lora = layer.lora else { continue }
            tensors["base_model.model.\(path).lora_A.weight"] = lora.a
            tensors["base_model.model.\(path).lora_B.weight"] = lora.b
        }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("adapter_model.safetensors"))
        let json = try JSONSerialization.data(withJSONObject: configuration.peftJSON(baseModel: baseModel),
                                              options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json, to: folder.appendingPathComponent("adapter_config.json"))
    }

    /// Adds adapters from a PEFT folder (replacing any present); returns their parameters.
    @discardableResult
    public func loadLoRA(from folder: URL, generator: Generator) throws -> [Tensor] {
        let configFile = folder.appendingPathComponent("adapter_config.json")
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: configFile)) as? [String: Any] else {
            throw ModelError("\(configFile.path): not a JSON object")
        }
        let configuration = try LoRAConfiguration(peftJSON: json, file: configFile.path)
        try addLoRA(configuration, generator: generator)
        let file = try SafeTensorsFile(url: folder.appendingPathComponent("adapter_model.safetensors"))
        for (path, layer) in projections(configuration.targetModules) {
            guard let lora = layer.lora else { continue }
            for (suffix, tensor) in [("lora_A", lora.a), ("lora_B", lora.b)] {
                let name = "base_model.model.\(path).\(suffix).weight"
                let saved = try file.tensor(name, device: device, dtype: dtype)
                guard saved.shape == tensor.shape else {
                    throw ModelError("\(file.path): \(name) has shape \(saved.shape), the model needs \(tensor.shape)")
                }
                try withNoGrad { try tensor.copyInPlace(from: saved) }
            }
        }
        return loraParameters()
    }

    /// Folds every adapter into its base weight (W += (α/r)·B·A) and removes the adapters.
    /// A 4-bit layer is dequantized first and stays dense afterwards.
    public func mergeLoRA() throws {
        try withNoGrad {
            for (_, layer) in projections(LoRAConfiguration.allProjections) {
                guard let lora = layer.lora else { continue }
                try layer.replaceWeight(with: layer.weight + lora.b.matmul(lora.a) * lora.scale)
                layer.lora = nil
            }
        }
        loraConfiguration = nil
    }
}
