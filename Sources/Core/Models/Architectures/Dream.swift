import Engine

// Dream (Ye et al. 2025, "Dream 7B") is a masked-diffusion model adapted from an
// autoregressive one (Qwen2.5): the same transformer, bidirectional, with a mask token, and
// the autoregressive model's shift kept: the output at position i predicts the token at i + 1,
// so the adapted model starts from what its causal weights already compute. Its checkpoints
// keep Qwen2's field and tensor names, with `model_type: Dream` and a `mask_token_id`.

extension ModelConfiguration {
    /// The output at position i predicts the token at i + 1 (Dream), not the one at i (LLaDA).
    public var shiftedPrediction: Bool { maskedDiffusion && modelType == "dream" }

    /// The masked-diffusion twin of causal `base`, as Dream adapts Qwen2.5: bidirectional,
    /// `maskTokenID` one id past `base`'s vocabulary, everything else the same.
    public static func dream(adapting base: ModelConfiguration) -> ModelConfiguration {
        var twin = base
        twin.modelType = "dream"
        twin.maskedDiffusion = true
        twin.maskTokenID = base.vocabularySize
        twin.vocabularySize = base.vocabularySize + 1
        return twin
    }

    /// Reads Dream's config.json: Qwen2's fields (q/k/v biases unless `attention_bias: false`)
    /// and the mask token.
    init(dream json: [String: Any], file: String) throws {
        var qwen = json
        qwen["model_type"] = "qwen2"
        try self.init(json: qwen, file: file)
        guard let mask = json["mask_token_id"] as? Int else { throw ModelError("\(file): a Dream config needs mask_token_id") }
        guard (0..<vocabularySize).contains(mask) else {
            throw ModelError("\(file): mask_token_id \(mask) is outside the vocabulary of \(vocabularySize) tokens")
        }
        modelType = "dream"
        attentionBias = (json["attention_bias"] as? Bool) ?? true
        maskedDiffusion = true
        maskTokenID = mask
    }

    /// The configuration as Dream's config.json (what `Transformer.save` writes for a model with the shift).
    public var dreamJSON: [String: Any] {
        var json = huggingFaceJSON
        json["model_type"] = "Dream"
        json["architectures"] = ["DreamModel"]
        json["mask_token_id"] = maskTokenID
        return json
    }
}

extension Transformer {
    /// The hidden states [B, end − start, H] whose logits predict the tokens at start..<end of
    /// `hidden` [B, L, H]: those positions' own, or with Dream's shift the ones before them
    /// (so `start` must then be at least 1: a masked-diffusion region always follows a prompt).
    public func predicting(_ hidden: Tensor, start: Int, end: Int) throws -> Tensor {
        let shift = configuration.shiftedPrediction ? 1 : 0
        guard start >= shift else { throw ModelError("position 0 has no prediction in a model with Dream's shift") }
        return try hidden.slice(dim: 1, start: start - shift, end: end - shift)
    }
}
