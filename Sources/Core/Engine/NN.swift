import RLRunABI

/// Neural-network functions. Fused libtorch kernels are used wherever they exist, one shim
/// call each, because these sit on the hot path of every forward pass.
public enum NN {
    /// Rows of `weight` picked by integer `indices`.
    public static func embedding(_ indices: Tensor, weight: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((weight, indices)) { api.pointee.embedding(weight.handle, indices.handle) },
                 "embedding(weight: \(weight.shape), indices: \(indices.shape))")
    }

    /// x · weightᵀ + bias, with weight [out, in] as in PyTorch and Hugging Face checkpoints.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try wrap(withExtendedLifetime((x, weight, bias)) { api.pointee.linear(x.handle, weight.handle, bias?.handle) },
                 "linear(\(x.shape), weight: \(weight.shape))")
    }

    /// x·Wᵀ for W [outputs, inputs] held as 4-bit NF4 codes (two per uint8) with float32 block
    /// scales; `levelPairs` [256, 2] are the two levels each byte stands for. Differentiable in
    /// x only, and the backward pass dequantizes W again rather than keeping it in memory.
    public static func nf4Linear(_ x: Tensor, codes: Tensor, absmax: Tensor, levelPairs: Tensor, blockSize: Int,
                                 outputs: Int, inputs: Int) throws -> Tensor {
        try wrap(withExtendedLifetime((x, codes, absmax, levelPairs)) {
            api.pointee.nf4_linear(x.handle, codes.handle, absmax.handle, levelPairs.handle, Int64(blockSize), Int64(outputs), Int64(inputs))
        }, "nf4_linear(\(x.shape), weight: [\(outputs), \(inputs)])")
    }

    /// x / sqrt(mean(x², last dim) + eps) · weight.
    public static func rmsNorm(_ x: Tensor, weight: Tensor?, eps: Double) throws -> Tensor {
        try wrap(withExtendedLifetime((x, weight)) { api.pointee.rms_norm(x.handle, weight?.handle, eps) },
                 "rms_norm(\(x.shape))")
    }

    public static func softmax(_ x: Tensor, dim: Int = -1) throws -> Tensor {
        try wrap(api.pointee.softmax(x.handle, Int64(dim)), "softmax(\(x.shape), dim: \(dim))")
    }

    public static func logSoftmax(_ x: Tensor, dim: Int = -1) throws -> Tensor {
        try wrap(api.pointee.log_softmax(x.handle, Int64(dim)), "log_softmax(\(x.shape), dim: \(dim))")
    }

    public enum Reduction: Int32, Sendable { case none = 0, mean = 1, sum = 2 }

    /// Cross-entropy of `logits` [N, C] against class indices `targets` [N]; targets equal to
    /// `ignoreIndex` contribute nothing (and are not counted by the mean).
    public static func crossEntropy(_ logits: Tensor, targets: Tensor, ignoreIndex: Int = -100,
                                    reduction: Reduction = .mean, labelSmoothing: Double = 0) throws -> Tensor {
        try wrap(withExtendedLifetime((logits, targets)) {
            api.pointee.cross_entropy(logits.handle, targets.handle, Int64(ignoreIndex), reduction.rawValue, labelSmoothing)
        }, "cross_entropy(logits: \(logits.shape), targets: \(targets.shape))")
    }

    /// softmax(q kᵀ · scale + mask) v with q [B, H, L, D] and k, v [B, Hkv, S, D]. When
    /// Hkv < H each key/value head serves H / Hkv query heads (grouped-query attention).
    /// `mask` is boolean (true = may attend) or additive; `causal` masks j > i and, like
    /// PyTorch, aligns the triangle to the top-left, so incremental decoding passes a mask.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
                                                 causal: Bool = false, scale: Double? = nil) throws -> Tensor {
        try wrap(withExtendedLifetime((query, key, value, mask)) {
            api.pointee.scaled_dot_product_attention(query.handle, key.handle, value.handle, mask?.handle, causal, scale ?? 0)
        }, "scaled_dot_product_attention(q: \(query.shape), k: \(key.shape), v: \(value.shape))")
    }

    /// Rotary position embedding in the "rotate half" layout of Hugging Face's Llama and Qwen2:
    /// x·cos + cat(−x₂, x₁)·sin over the last dimension, cos and sin broadcast to x [B, H, L, D].
    public static func rotaryEmbedding(_ x: Tensor, cos: Tensor, sin: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((x, cos, sin)) { api.pointee.rotary_embedding(x.handle, cos.handle, sin.handle) },
                 "rotary_embedding(\(x.shape), cos: \(cos.shape))")
    }

    /// One token per row of logits [B, V] by inverse CDF: the first whose cumulative
    /// probability under softmax(logits) reaches `uniforms`[b] (each in (0, 1]), never one of
    /// probability 0. Returns the tokens (int64 [B]) and their log softmax(logits).
    public static func sampleInverseCDF(logits: Tensor, uniforms: Tensor) throws -> (tokens: Tensor, logProbs: Tensor) {
        var logProbs: rt_tensor?
        let tokens = try wrap(withExtendedLifetime((logits, uniforms)) {
            api.pointee.sample_inverse_cdf(logits.handle, uniforms.handle, &logProbs)
        }, "sample_inverse_cdf(logits: \(logits.shape), uniforms: \(uniforms.shape))")
        return (tokens, try wrap(logProbs, "sample_inverse_cdf"))
    }

    /// log softmax(logits)[target] for every position, in float32, computed as
    /// logits[target] − logsumexp(logits) so that no [.., V] log-prob tensor is stored for the
    /// backward pass. logits [..., V], targets [...] int64 → [...].
    public static func tokenLogProbs(logits: Tensor, targets: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((logits, targets)) { api.pointee.token_logprobs(logits.handle, targets.handle) },
                 "token_logprobs(logits: \(logits.shape), targets: \(targets.shape))")
    }

    /// Entropy of softmax(logits) over the last dimension, in float32: [..., V] → [...].
    public static func tokenEntropy(logits: Tensor) throws -> Tensor {
        try wrap(api.pointee.token_entropy(logits.handle), "token_entropy(\(logits.shape))")
    }

    /// Draws `samples` indices per row from the (unnormalised) probabilities `probs`.
    public static func multinomial(_ probs: Tensor, samples: Int = 1, replacement: Bool = false,
                                   generator: Generator) throws -> Tensor {
        try wrap(withExtendedLifetime((probs, generator)) {
            api.pointee.multinomial(probs.handle, Int64(samples), replacement, generator.handle)
        }, "multinomial(\(probs.shape))")
    }
}
