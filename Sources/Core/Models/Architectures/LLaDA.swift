// LLaDA (Nie et al. 2025, "Large Language Diffusion Models") is a Llama-shaped transformer
// without the causal mask, trained to predict masked tokens. Its checkpoints keep OLMo's field
// and tensor names; this file reads them onto the shared `Transformer`, so that LLaDA needs no
// layers of its own.

extension ModelConfiguration {
    /// The mask token of LLaDA-8B, used when config.json names none.
    public static let lladaMaskTokenID = 126336

    /// Reads LLaDA's config.json (`d_model`, `n_layers`, ...). Only LLaDA's Llama block is built
    /// (RMS norm, RoPE, SwiGLU, biases on q/k/v at most): a checkpoint of another OLMo block
    /// would load without error yet compute something else, so other settings are refused.
    init(llada json: [String: Any], file: String) throws {
        let int = Self.integerReader(json, file: file)
        var unsupported: [String] = []
        for (key, expected) in ["block_type": "llama", "layer_norm_type": "rms", "activation_type": "silu"].sorted(by: <) {
            if let value = json[key] as? String, value != expected { unsupported.append("\(key) \(value) (needs \(expected))") }
        }
        let flags = ["include_bias": false, "alibi": false, "rope": true, "attention_layer_norm": false,
                     "input_emb_norm": false, "scale_logits": false]
        for (key, expected) in flags.sorted(by: { $0.key < $1.key }) {
            if let value = json[key] as? Bool, value != expected { unsupported.append("\(key) \(value) (needs \(expected))") }
        }
        guard unsupported.isEmpty else {
            throw ModelError("\(file): LLaDA settings not supported: \(unsupported.joined(separator: ", "))")
        }
        let hidden = try int("d_model")
        let heads = try int("n_heads")
        guard hidden % heads == 0 else { throw ModelError("\(file): d_model \(hidden) is not a multiple of n_heads \(heads)") }
        // OLMo: no n_kv_heads means one key/value head with multi-query attention, else one per head.
        let keyValueHeads = (json["n_kv_heads"] as? Int) ?? ((json["multi_query_attention"] as? Bool) == true ? 1 : heads)
        // The embedding (and logits) may be padded beyond the tokenizer's vocab_size.
        let vocabulary = try (json["embedding_size"] as? Int) ?? int("vocab_size")
        let mask = (json["mask_token_id"] as? Int) ?? Self.lladaMaskTokenID
        guard (0..<vocabulary).contains(mask) else {
            throw ModelError("\(file): mask_token_id \(mask) is outside the vocabulary of \(vocabulary) tokens")
        }
        self.init(
            modelType: "llada", hiddenSize: hidden, layers: try int("n_layers"), attentionHeads: heads,
            keyValueHeads: keyValueHeads,
            intermediateSize: (json["mlp_hidden_size"] as? Int) ?? ((json["mlp_ratio"] as? Int) ?? 4) * hidden,
            rmsNormEps: (json["rms_norm_eps"] as? Double) ?? 1e-5, ropeTheta: (json["rope_theta"] as? Double) ?? 10000,
            maxPositions: try int("max_sequence_length"), vocabularySize: vocabulary,
            // OLMo ties the output to the embedding unless told otherwise (LLaDA-8B does not).
            tieWordEmbeddings: (json["weight_tying"] as? Bool) ?? true,
            attentionBias: (json["include_qkv_bias"] as? Bool) ?? false, maskedDiffusion: true, maskTokenID: mask,
            eosTokenIDs: Self.eosTokenIDs(json), storedDType: Self.storedDType(json))
        try checkHeads(file: file)
    }

    /// The configuration as LLaDA's config.json, the only format that says a model is
    /// bidirectional and names its mask token (what `Transformer.save` writes for one).
    public var lladaJSON: [String: Any] {
        var json: [String: Any] = [
            "model_type": "llada", "architectures": ["LLaDAModelLM"], "block_type": "llama", "d_model": hiddenSize,
            "n_layers": layers, "n_heads": attentionHeads, "n_kv_heads": keyValueHeads, "mlp_hidden_size": intermediateSize,
            "vocab_size": vocabularySize, "embedding_size": vocabularySize, "max_sequence_length": maxPositions,
            "rope": true, "rope_theta": ropeTheta, "layer_norm_type": "rms", "rms_norm_eps": rmsNormEps,
            "activation_type": "silu", "weight_tying": tieWordEmbeddings, "include_bias": false,
            "include_qkv_bias": attentionBias, "mask_token_id": maskTokenID ?? Self.lladaMaskTokenID,
            "torch_dtype": (storedDType ?? .float32).description,
        ]
        if !eosTokenIDs.isEmpty { json["eos_token_id"] = eosTokenIDs.count == 1 ? eosTokenIDs[0] : eosTokenIDs }
        return json
    }

    /// A small LLaDA-shaped masked-diffusion model for the built-in policy: build it with
    /// `Transformer(configuration:weights: .random(...))`. Proportions follow LLaDA-8B (MLP 3×
    /// wide, RoPE θ 500000, untied output) so that the small model trains like the large one.
    public static func smallMaskedDiffusion(vocabularySize: Int, maskTokenID: Int, eosTokenIDs: [Int] = [],
                                            hiddenSize: Int = 128, layers: Int = 4, attentionHeads: Int = 4,
                                            maxPositions: Int = 512) throws -> ModelConfiguration {
        guard (0..<vocabularySize).contains(maskTokenID) else {
            throw ModelError("mask token \(maskTokenID) is outside the vocabulary of \(vocabularySize) tokens")
        }
        guard hiddenSize % attentionHeads == 0 else {
            throw ModelError("hidden size \(hiddenSize) is not a multiple of \(attentionHeads) attention heads")
        }
        return ModelConfiguration(
            modelType: "llada", hiddenSize: hiddenSize, layers: layers, attentionHeads: attentionHeads,
            keyValueHeads: attentionHeads, intermediateSize: 3 * hiddenSize, rmsNormEps: 1e-5, ropeTheta: 500_000,
            maxPositions: maxPositions, vocabularySize: vocabularySize, maskedDiffusion: true, maskTokenID: maskTokenID,
            eosTokenIDs: eosTokenIDs)
    }
}

extension WeightNames {
    /// LLaDA's tensor names: `model.transformer.wte`, `blocks.N.{q,k,v}_proj`, `attn_out`, the
    /// SwiGLU `ff_proj` (gate), `up_proj` and `ff_out` (down), `attn_norm`, `ff_norm`, `ln_f`, and
    /// the output `model.transformer.ff_out`. A name outside this scheme is looked up unchanged,
    /// so the "missing" error shows it.
    public static let llada = WeightNames { name in
        let whole = ["model.embed_tokens.weight": "model.transformer.wte.weight",
                     "model.norm.weight": "model.transformer.ln_f.weight",
                     "lm_head.weight": "model.transformer.ff_out.weight"]
        if let renamed = whole[name] { return renamed }
        let modules = ["self_attn.q_proj": "q_proj", "self_attn.k_proj": "k_proj", "self_attn.v_proj": "v_proj",
                       "self_attn.o_proj": "attn_out", "mlp.gate_proj": "ff_proj", "mlp.up_proj": "up_proj",
                       "mlp.down_proj": "ff_out", "input_layernorm": "attn_norm", "post_attention_layernorm": "ff_norm"]
        // model.layers.N.<module>.<weight|bias>
        let parts = name.split(separator: ".").map(String.init)
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers",
              let module = modules[parts[3..<(parts.count - 1)].joined(separator: ".")] else { return name }
        return "model.transformer.blocks.\(parts[2]).\(module).\(parts[parts.count - 1])"
    }
}
