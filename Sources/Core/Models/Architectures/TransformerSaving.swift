import Engine
import Foundation

extension ModelConfiguration {
    /// The configuration as a Hugging Face config.json object (Qwen2 / Llama keys), so the
    /// folder loads in rlrun and in transformers.
    public var huggingFaceJSON: [String: Any] {
        var json: [String: Any] = [
            "model_type": modelType, "architectures": [modelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"],
            "hidden_size": hiddenSize, "num_hidden_layers": layers, "num_attention_heads": attentionHeads,
            "num_key_value_heads": keyValueHeads, "head_dim": headDimension, "intermediate_size": intermediateSize,
            "rms_norm_eps": rmsNormEps, "rope_theta": ropeTheta, "max_position_embeddings": maxPositions,
            "vocab_size": vocabularySize, "tie_word_embeddings": tieWordEmbeddings, "attention_bias": attentionBias,
            "hidden_act": "silu", "torch_dtype": (storedDType ?? .float32).description,
        ]
        if !eosTokenIDs.isEmpty { json["eos_token_id"] = eosTokenIDs.count == 1 ? eosTokenIDs[0] : eosTokenIDs }
        return json
    }
}

extension Transformer {
    /// Writes config.json and model.safetensors (Hugging Face names) into `folder`, each
    /// atomically, so the folder is either the old model or the new one, never half of each.
    /// A masked-diffusion model is written as a LLaDA folder (LLaDA's config and names), or
    /// with Dream's shift as a Dream folder (Qwen2's names).
    /// A 4-bit base is written dequantized, so the folder loads as an ordinary dense model.
    public func save(to folder: URL, dtype: DType? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = self.configuration
        configuration.storedDType = dtype ?? weightDType
        let names = WeightNames.of(modelType: configuration.modelType)
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in try denseParameters() { tensors[names.checkpointName(name)] = try dtype.map { try tensor.to($0) } ?? tensor }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
        let object = configuration.shiftedPrediction ? configuration.dreamJSON
            : configuration.maskedDiffusion ? configuration.lladaJSON : configuration.huggingFaceJSON
        let json = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json, to: folder.appendingPathComponent("config.json"))
    }
}
