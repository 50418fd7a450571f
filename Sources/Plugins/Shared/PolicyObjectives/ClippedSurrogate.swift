import Engine

/// The importance ratio ρ = exp(logp_θ − logp_old) per token, 1 on padding. The log-ratio is
/// clamped to [−20, 20] first, as verl does, so one wild token cannot overflow exp.
public func importanceRatio(logProbs: Tensor, oldLogProbs: Tensor, mask: Tensor) throws -> Tensor {
    try (logProbs - oldLogProbs).keeping(mask).clamp(min: -20, max: 20).exp()
}

/// PPO's clipped surrogate per token (Schulman et al. 2017), in the forms the references use:
///
///     ℓ = max(−A·ρ̃, −A·clip(ρ, 1 − ε_low, 1 + ε_high))     ρ̃ = min(ρ, δ) when δ is set
///     ℓ = min(ℓ, −c·A)   where A < 0                        when c is set
///
/// ε_low ≠ ε_high is DAPO's clip-higher (room for low-probability tokens to rise), c is verl's
/// dual clip (`clip_ratio_c`: a negative advantage on a token whose ratio has exploded cannot
/// push without bound) and δ is TRL's two-sided `delta` (INTELLECT-2), which caps the unclipped
/// branch as well.
public struct ClippedSurrogate: Sendable, Equatable {
    public var clipLow: Double
    public var clipHigh: Double
    /// c > 1; nil = no dual clip.
    public var dualClip: Double?
    /// δ > 1 + ε_high; nil = no cap.
    public var delta: Double?

    public init(clipLow: Double = 0.2, clipHigh: Double = 0.2, dualClip: Double? = nil, delta: Double? = nil) {
        self.clipLow = clipLow
        self.clipHigh = clipHigh
        self.dualClip = dualClip
        self.delta = delta
    }

    public struct Terms {
        /// ℓ per token [n, T].
        public var loss: Tensor
        /// Where the lower bound held a negative advantage back (ρ < 1 − ε_low, A < 0).
        public var clippedLow: Tensor
        /// Where the upper bound held a positive advantage back (ρ > 1 + ε_high, A > 0).
        public var clippedHigh: Tensor
        /// Where the dual clip replaced the loss; nil without dual clip.
        public var dualClipped: Tensor?
    }

    public func callAsFunction(ratio: Tensor, advantages: Tensor) throws -> Terms {
        let capped = try delta.map { try ratio.clamp(max: $0) } ?? ratio
        let unclipped = try -advantages * capped
        let clipped = try -advantages * ratio.clamp(min: 1 - clipLow, max: 1 + clipHigh)
        var loss = try unclipped.maximum(clipped)
        let negative = try advantages.lt(0)
        var dualClipped: Tensor?
        if let c = dualClip {
            let bound = try -advantages * c
            dualClipped = try negative.logicalAnd(bound.lt(loss))
            loss = try Tensor.where(negative, loss.minimum(bound), loss)
        }
        return Terms(loss: loss,
                     clippedLow: try ratio.lt(1 - clipLow).logicalAnd(negative),
                     clippedHigh: try ratio.gt(1 + clipHigh).logicalAnd(advantages.gt(0)),
                     dualClipped: dualClipped)
    }
}
