import Engine

/// How big the whole optimizer step is (all micro-batches and ranks): the loss of each
/// micro-batch is divided by the step's counts, not its own, so the micro-batch losses add up
/// to the step's loss whatever the split.
public struct StepSize: Sendable, Equatable {
    /// Valid tokens in the step.
    public var tokens: Double
    /// Sequences with at least one valid token in the step.
    public var sequences: Double
    /// The generation budget: Dr. GRPO's length-normalisation constant.
    public var maxNewTokens: Int

    public init(tokens: Double, sequences: Double, maxNewTokens: Int) {
        self.tokens = tokens
        self.sequences = sequences
        self.maxNewTokens = maxNewTokens
    }

    /// The size of a step made of this one `mask` [n, T].
    public init(mask: Tensor, maxNewTokens: Int) throws {
        tokens = try Masked.count(mask)
        sequences = try mask.gt(0).to(.float64).amax(dims: [1]).sum().item()
        self.maxNewTokens = maxNewTokens
    }
}

/// Reductions of the per-token loss ℓ [n, T] to the step's scalar, by verl's names
/// (`loss_agg_mode`). A sequence without valid tokens contributes nothing.
public enum LossAggregation: String, CaseIterable, Sendable {
    /// Σ ℓ·m / tokens in the step: every token weighs the same (DAPO; TRL "dapo").
    case tokenMean = "token-mean"
    /// Σ_i (Σ_t ℓ·m / |o_i|) / sequences: each sequence weighs the same (the GRPO paper).
    case seqMeanTokenMean = "seq-mean-token-mean"
    /// Σ_i Σ_t ℓ·m / sequences.
    case seqMeanTokenSum = "seq-mean-token-sum"
    /// Σ ℓ·m / (sequences · max new tokens): Dr. GRPO's constant normaliser, so long and short
    /// completions are not weighed differently by their own length.
    case seqMeanTokenSumNorm = "seq-mean-token-sum-norm"

    public func callAsFunction(_ perToken: Tensor, mask: Tensor, step: StepSize) throws -> Tensor {
        let kept = try perToken.keeping(mask)
        let sequences = Swift.max(step.sequences, 1)
        switch self {
        case .tokenMean:
            return try kept.sum() / Swift.max(step.tokens, 1)
        case .seqMeanTokenMean:
            let lengths = try mask.gt(0).to(perToken.dtype).sum(dim: 1).clamp(min: 1)
            return try (kept.sum(dim: 1) / lengths).sum() / sequences
        case .seqMeanTokenSum:
            return try kept.sum() / sequences
        case .seqMeanTokenSumNorm:
            return try kept.sum() / (sequences * Double(Swift.max(step.maxNewTokens, 1)))
        }
    }
}
