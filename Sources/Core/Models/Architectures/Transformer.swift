import Engine
import Foundation

/// A decoder block: pre-norm attention and SwiGLU MLP with residual connections.
public final class TransformerBlock {
    public let attention: Attention
    public let mlp: MLP
    public let inputNorm: RMSNorm
    public let postAttentionNorm: RMSNorm

    init(_ source: WeightSource, _ prefix: String, _ c: ModelConfiguration) throws {
        attention = try Attention(source, "\(prefix).self_attn", c)
        mlp = try MLP(source, "\(prefix).mlp", hidden: c.hiddenSize, intermediate: c.intermediateSize)
        inputNorm = try RMSNorm(source, "\(prefix).input_layernorm", size: c.hiddenSize, eps: c.rmsNormEps)
        postAttentionNorm = try RMSNorm(source, "\(prefix).post_attention_layernorm", size: c.hiddenSize, eps: c.rmsNormEps)
    }

    func callAsFunction(_ x: Tensor, rope: (cos: Tensor, sin: Tensor), mask: Tensor?, causal: Bool,
                        cache: KVCache?, prompts: SharedPromptKeys?, layer: Int) throws -> Tensor {
        let h = try x + attention(inputNorm(x), rope: rope, mask: mask, causal: causal, cache: cache, prompts: prompts,
                                  layer: layer)
        return try h + mlp(postAttentionNorm(h))
    }

    func parameters(_ prefix: String) -> [(String, Tensor)] {
        attention.parameters("\(prefix).self_attn") + mlp.parameters("\(prefix).mlp")
            + inputNorm.parameters("\(prefix).input_layernorm") + postAttentionNorm.parameters("\(prefix).post_attention_layernorm")
    }
}

/// The Qwen2 / Llama transformer with Hugging Face's parameter names (`model.layers.N...`).
/// Causal for language models; bidirectional when the configuration is a masked-diffusion
/// model (LLaDA, loaded through `WeightNames.llada`), which predicts masked tokens from both sides.
public final class Transformer {
    public let configuration: ModelConfiguration
    /// The compute dtype (activations, norms, the KV cache).
    public let dtype: DType
    /// The dtype of the weight matrices: `dtype`, or bf16 under float32 compute (see `WeightSource.weightDType`).
    public let weightDType: DType
    public let device: Device
    public let embedding: Tensor
    public let blocks: [TransformerBlock]
    public let norm: RMSNorm
    /// Nil when tied to the embedding.
    public let head: Linear?
    /// The tied head's matrix in a lower precision while sampling under mixed precision.
    var tiedHeadLowPrecision: Tensor?
    let rope: RotaryEmbedding
    /// Settings of the LoRA adapters attached, if any.
    public internal(set) var loraConfiguration: LoRAConfiguration?
    /// The generator of the adapters' dropout masks (checkpointed, so a resumed run drops the same inputs).
    public internal(set) var loraDropoutGenerator: Generator?

    public init(configuration c: ModelConfiguration, weights source: WeightSource) throws {
        guard source.weightDType == source.dtype || (source.weightDType == .bfloat16 && source.dtype == .float32) else {
            throw ModelError("weights in \(source.weightDType) need float32 compute or the same dtype for both, got \(source.dtype) compute")
        }
        configuration = c
        dtype = source.dtype
        weightDType = source.weightDType
        device = source.device
        embedding = try source.matrix("model.embed_tokens.weight", shape: [c.vocabularySize, c.hiddenSize])
        blocks = try (0..<c.layers).map { try TransformerBlock(source, "model.layers.\($0)", c) }
        norm = try RMSNorm(source, "model.norm", size: c.hiddenSize, eps: c.rmsNormEps)
        head = c.tieWordEmbeddings ? nil
            : try Linear(source, "lm_head", inputs: c.hiddenSize, outputs: c.vocabularySize, bias: false)
        rope = try RotaryEmbedding(headDimension: c.headDimension, maxPositions: c.maxPositions, theta: c.ropeTheta,
                                   scaling: c.ropeScaling, device: source.device)
        try source.finish()
    }

    /// Loads a Hugging Face folder (config.json and safetensors), converting weights to `dtype`
    /// (weight matrices to `weightDType` when given, see `WeightSource.weightDType`);
    /// a LLaDA folder loads as the same transformer under LLaDA's names, bidirectional.
    public convenience init(folder: URL, dtype: DType = .float32, weightDType: DType? = nil, device: Device = .cpu) throws {
        try Engine.prepare(device)
        let configuration = try ModelConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        let weights = try WeightSource.checkpoint(folder: folder, dtype: dtype, weightDType: weightDType, device: device,
                                                  names: .of(modelType: configuration.modelType))
        try self.init(configuration: configuration, weights: weights)
    }

    /// Final hidden states [B, L, hidden] for `tokens` [B, L].
    /// - positions: [B, L] position ids (default 0..<L, or continuing the cache);
    /// - mask: boolean [B, 1, L, S], true where a query may attend to a key (needed with padding);
    /// - cache: keys/values of earlier positions, extended in place.
    public func hiddenStates(_ tokens: Tensor, positions: Tensor? = nil, mask: Tensor? = nil,
                             cache: KVCache? = nil) throws -> Tensor {
        try hiddenStates(tokens, positions: positions, mask: mask, cache: cache, prompts: nil)
    }

    /// The same, with prompt keys/values shared by completion rows (training passes, see `SharedPromptKeys`).
    func hiddenStates(_ tokens: Tensor, positions: Tensor?, mask: Tensor?, cache: KVCache?,
                      prompts: SharedPromptKeys?) throws -> Tensor {
        let (batch, length) = (tokens.size(0), tokens.size(1))
        let start = cache?.length ?? 0
        let positions = try positions ?? Tensor.arange(Double(start), Double(start + length), device: device)
            .unsqueeze(0).expand([batch, length])
        let table = try rope.table(positions: positions, dtype: dtype)
        // PyTorch's built-in causal mask is aligned to the first key, which is right only
        // without cached positions. After them, one new token may see every key, and several
        // need an explicit mask aligned to the last key.
        var causal = !configuration.maskedDiffusion
        var mask = mask
        if mask == nil, causal, start > 0 {
            if length > 1 { mask = try Self.causalMask(queries: length, keys: start + length, device: device) }
            causal = false
        }
        var x = try embedded(tokens)
        for (i, block) in blocks.enumerated() {
            x = try block(x, rope: table, mask: mask, causal: causal, cache: cache, prompts: prompts, layer: i)
        }
        cache?.advance(by: length)
        return try norm(x)
    }

    /// [B, L] the attention each position receives in the last layer of a bidirectional pass
    /// over `tokens` [B, L]: averaged over heads, summed over the real queries (`mask` boolean
    /// [B, 1, 1, L], true at real tokens).
    public func attentionReceived(_ tokens: Tensor, positions: Tensor, mask: Tensor) throws -> Tensor {
        let table = try rope.table(positions: positions, dtype: dtype)
        var x = try embedded(tokens)
        for (i, block) in blocks.dropLast().enumerated() {
            x = try block(x, rope: table, mask: mask, causal: false, cache: nil, prompts: nil, layer: i)
        }
        guard let last = blocks.last else { throw ModelError("a model without layers has no attention") }
        let probabilities = try last.attention.probabilities(last.inputNorm(x), rope: table, mask: mask)   // [B, H, L, L]
        let realQueries = try mask.squeeze(1).squeeze(1).to(probabilities.dtype).unsqueeze(2)              // [B, L, 1]
        return try (probabilities.mean(dim: 1) * realQueries).sum(dim: 1)
    }

    /// The token embeddings of `tokens`, in the compute dtype.
    private func embedded(_ tokens: Tensor) throws -> Tensor {
        let x = try NN.embedding(tokens, weight: embedding)
        return embedding.dtype == dtype ? x : try x.to(dtype)
    }

    /// Vocabulary logits for hidden states [..., hidden].
    public func logits(_ hidden: Tensor) throws -> Tensor {
        if let head { return try head(hidden) }
        if let tiedHeadLowPrecision, !Autograd.isEnabled { return try Linear.multiply(hidden, lowPrecision: tiedHeadLowPrecision) }
        return try NN.linear(hidden, weight: embedding)
    }

    /// Logits [B, L, V] for `tokens` [B, L].
    public func callAsFunction(_ tokens: Tensor, positions: Tensor? = nil, mask: Tensor? = nil,
                               cache: KVCache? = nil) throws -> Tensor {
        try logits(hiddenStates(tokens, positions: positions, mask: mask, cache: cache))
    }

    /// [1, 1, L, S] lower-triangular mask whose last query row sees all S keys.
    public static func causalMask(queries: Int, keys: Int, device: Device) throws -> Tensor {
        try Tensor.ones([queries, keys], dtype: .bool, device: device).tril(keys - queries).unsqueeze(0).unsqueeze(0)
    }

    public func makeCache(batch: Int, capacity: Int) throws -> KVCache {
        try KVCache(layers: configuration.layers, batch: batch, keyValueHeads: configuration.keyValueHeads,
                    headDimension: configuration.headDimension, capacity: capacity, dtype: dtype, device: device)
    }

    /// Every parameter by its Hugging Face name, in a stable order (tied head not repeated).
    /// 4-bit projection weights are not listed (see `quantizeBase`): nothing could train them.
    public func parameters() -> [(String, Tensor)] {
        var all = [("model.embed_tokens.weight", embedding)]
        for (i, block) in blocks.enumerated() { all += block.parameters("model.layers.\(i)") }
        all += norm.parameters("model.norm")
        if let head { all += head.parameters("lm_head") }
        return all
    }
}
