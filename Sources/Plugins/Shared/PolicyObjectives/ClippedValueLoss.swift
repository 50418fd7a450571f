import Engine

/// PPO's value loss with clipping (TRL PPOTrainer, OpenRLHF): the new prediction may move at
/// most ε_v from the one made at rollout time before the clipped error takes over, the value
/// counterpart of the ratio clip.
///
///     V_clip = V_old + clip(V − V_old, −ε_v, ε_v)
///     ℓ_v    = ½·max((V − R)², (V_clip − R)²)
public struct ClippedValueLoss: Sendable {
    /// ε_v; nil = no clipping, ℓ_v = ½(V − R)².
    public var clip: Double?
    public var aggregation: LossAggregation

    public init(clip: Double?, aggregation: LossAggregation) {
        self.clip = clip
        self.aggregation = aggregation
    }

    /// The micro-batch's share of the step's value loss, and `value_loss` (aggregated as if
    /// this micro-batch were the step), `value_clip_fraction` (tokens where the clipped error
    /// was the larger) and `explained_variance` 1 − Var(R − V)/Var(R) over valid tokens.
    /// `oldValues` is needed when clipping.
    public func loss(values: Tensor, oldValues: Tensor?, returns: Tensor, mask: Tensor,
                     step: StepSize) throws -> (loss: Tensor, metrics: LossMetrics) {
        let v = try values.keeping(mask)
        let r = try returns.to(values.dtype).keeping(mask)
        let unclipped = try (v - r).square()
        var perToken = unclipped
        var clippedWins: Tensor?
        if let clip, let oldValues {
            let old = try oldValues.to(values.dtype).keeping(mask)
            let clipped = try (old + (v - old).clamp(min: -clip, max: clip) - r).square()
            perToken = try unclipped.maximum(clipped)
            clippedWins = try clipped.gt(unclipped)
        }
        perToken = try perToken * 0.5
        let loss = try aggregation(perToken, mask: mask, step: step)
        let metrics: LossMetrics = try withNoGrad {
            let local = try StepSize(mask: mask, maxNewTokens: step.maxNewTokens)
            let residual = try Masked.variance(r - v, mask)
            return [
                ("value_loss", try aggregation(perToken, mask: mask, step: local).item()),
                ("value_clip_fraction", try clippedWins.map { try Masked.fraction($0, mask) } ?? 0),
                ("explained_variance", try (1 - residual / (Masked.variance(r, mask) + 1e-5)).item()),
            ]
        }
        return (loss, metrics)
    }
}
