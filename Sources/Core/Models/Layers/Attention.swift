import Engine

/// Multi-head self-attention with grouped-query heads, RoPE and an optional KV cache.
public final class Attention {
    public let q, k, v, o: Linear
    let heads: Int
    let keyValueHeads: Int
    let headDimension: Int

    public init(_ source: WeightSource, _ prefix: String, _ c: ModelConfiguration) throws {
        heads = c.attentionHeads
        keyValueHeads = c.keyValueHeads
        headDimension = c.headDimension
        q = try Linear(source, "\(prefix).q_proj", inputs: c.hiddenSize, outputs: heads * headDimension, bias: c.attentionBias)
        k = try Linear(source, "\(prefix).k_proj", inputs: c.hiddenSize, outputs: keyValueHeads * headDimension, bias: c.attentionBias)
        v = try Linear(source, "\(prefix).v_proj", inputs: c.hiddenSize, outputs: keyValueHeads * headDimension, bias: c.attentionBias)
        o = try Linear(source, "\(prefix).o_proj", inputs: heads * headDimension, outputs: c.hiddenSize, bias: false)
    }

    /// x [B, L, hidden] → [B, L, hidden]. `mask` is boolean [B, 1, L, S] (true = may attend);
    /// without it attention is causal (or full when `causal` is false).
    func callAsFunction(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: Tensor?, causal: Bool,
                        cache: KVCache?, prompts: SharedPromptKeys? = nil, layer: Int) throws -> Tensor {
        let (batch, length) = (x.size(0), x.size(1))
        let (query, rotatedKey) = try queriesAndKeys(x, rope: rope)
        var key = rotatedKey
        var value = try splitHeads(v(x), keyValueHeads)
        if let cache { (key, value) = try cache.append(layer: layer, keys: key, values: value) }
        if let prompts { (key, value) = try prompts.extend(layer: layer, keys: key, values: value) }
        let attended = try NN.scaledDotProductAttention(query: query, key: key, value: value, mask: mask,
                                                        causal: mask == nil && causal)
        return try o(attended.transpose(1, 2).reshape([batch, length, heads * headDimension]))
    }

    /// The attention probabilities [B, H, L, L] of x [B, L, hidden] with no cache, computed
    /// explicitly (the fused kernel does not return them); `mask` boolean [B, 1, 1 or L, L].
    func probabilities(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: Tensor?) throws -> Tensor {
        let (query, key) = try queriesAndKeys(x, rope: rope)
        let keys = try key.repeatInterleave(heads / keyValueHeads, dim: 1)
        var scores = try query.matmul(keys.transpose(2, 3)) * (1 / Double(headDimension).squareRoot())
        if let mask { scores = try scores.maskedFill(mask.logicalNot(), -Double.infinity) }
        return try NN.softmax(scores, dim: -1)
    }

    /// [B, L, n·D] → [B, n, L, D].
    private func splitHeads(_ t: Tensor, _ n: Int) throws -> Tensor {
        try t.view([t.size(0), t.size(1), n, headDimension]).transpose(1, 2)
    }

    /// Queries [B, H, L, D] and keys [B, KV, L, D] of x, rotated.
    private func queriesAndKeys(_ x: Tensor, rope: (cos: Tensor, sin: Tensor)) throws -> (Tensor, Tensor) {
        (try RotaryEmbedding.apply(splitHeads(q(x), heads), cos: rope.cos, sin: rope.sin),
         try RotaryEmbedding.apply(splitHeads(k(x), keyValueHeads), cos: rope.cos, sin: rope.sin))
    }

    func parameters(_ prefix: String) -> [(String, Tensor)] {
        q.parameters("\(prefix).q_proj") + k.parameters("\(prefix).k_proj") + v.parameters("\(prefix).v_proj")
            + o.parameters("\(prefix).o_proj")
    }
}
