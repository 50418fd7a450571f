import RLRunSDK

// The per-token pieces of a clipped policy-gradient loss (ALGORITHMS.md §1). These are
// diffu-GRPO's own small copies; Sources/Plugins/Shared/PolicyObjectives holds the shared
// versions of the causal algorithms, and the two can be merged.

/// KL estimators to the reference policy, per token, from Δ = logp_ref − logp_θ.
public enum KLEstimator: String, CaseIterable, Sendable {
    /// logp_θ − logp_ref.
    case k1
    /// ½ Δ².
    case k2
    /// exp(Δ) − Δ − 1 (Schulman): unbiased, never negative.
    case k3

    public func perToken(logProbs: Tensor, refLogProbs: Tensor) throws -> Tensor {
        let delta = try refLogProbs - logProbs
        switch self {
        case .k1: return try -delta
        case .k2: return try delta.square() * 0.5
        case .k3: return try delta.exp() - delta - 1
        }
    }
}

enum PolicyObjective {
    /// −min(ρ·A, clip(ρ, 1 − clipLow, 1 + clipHigh)·A) per token.
    static func clippedSurrogateLoss(ratio: Tensor, advantages: Tensor, clipLow: Double, clipHigh: Double) throws -> Tensor {
        let unclipped = try ratio * advantages
        let clipped = try ratio.clamp(min: 1 - clipLow, max: 1 + clipHigh) * advantages
        return try -unclipped.minimum(clipped)
    }

    /// Fractions of valid tokens where the clip is active, i.e. where the token gives no
    /// gradient: ρ < 1 − clipLow with A < 0 (low), ρ > 1 + clipHigh with A > 0 (high).
    static func clipFractions(ratio: Tensor, advantages: Tensor, mask: Tensor, clipLow: Double,
                              clipHigh: Double) throws -> (low: Double, high: Double) {
        let tokens = try mask.sum().item()
        guard tokens > 0 else { return (0, 0) }
        let low = try ratio.lt(1 - clipLow).logicalAnd(advantages.lt(0)).to(mask.dtype)
        let high = try ratio.gt(1 + clipHigh).logicalAnd(advantages.gt(0)).to(mask.dtype)
        return (try (low * mask).sum().item() / tokens, try (high * mask).sum().item() / tokens)
    }

    /// Mean of `values` over the valid tokens of `mask`; 0 when there are none.
    static func maskedMean(_ values: Tensor, mask: Tensor) throws -> Double {
        let tokens = try mask.sum().item()
        return tokens > 0 ? try (values * mask).sum().item() / tokens : 0
    }
}
