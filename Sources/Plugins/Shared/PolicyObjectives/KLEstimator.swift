import Engine

/// Per-token estimators of KL(π_θ ‖ π_ref) from the log-probs of the sampled tokens
/// (Schulman, "Approximating KL divergence"), by verl's names (`kl_loss_type`).
public enum KLEstimator: String, CaseIterable, Sendable {
    /// logp − logp_ref: unbiased, high variance, can be negative. PPO's KL-in-reward.
    case k1
    /// ½(logp − logp_ref)²: biased, low variance.
    case k2
    /// exp(Δ) − Δ − 1 with Δ = logp_ref − logp: unbiased, ≥ 0, low variance (GRPO). verl's
    /// clamps keep it finite: Δ to [−20, 20], the result to [−10, 10].
    case k3

    /// KL estimate per token, same shape as the inputs. Pass inputs already kept to the mask
    /// (`keeping`), so padding gives 0 and no NaN gradient.
    public func callAsFunction(logProbs: Tensor, refLogProbs: Tensor) throws -> Tensor {
        switch self {
        case .k1:
            return try logProbs - refLogProbs
        case .k2:
            return try (logProbs - refLogProbs).square() * 0.5
        case .k3:
            let delta = try (refLogProbs - logProbs).clamp(min: -20, max: 20)
            return try (delta.exp() - delta - 1).clamp(min: -10, max: 10)
        }
    }
}
