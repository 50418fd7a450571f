import Engine

/// Named diagnostics of a loss, in a stable order (`LossOutputs.metrics`).
public typealias LossMetrics = [(name: String, value: Double)]

/// The policy loss of the clipped-surrogate family, per token
///
///     ℓ_t = clipped surrogate_t + β·KL_t − c_H·H_t
///
/// then aggregated over the step. The KL is against the reference policy and computed from the
/// current θ, so it has a gradient (GRPO puts it in the loss, not the reward); the entropy term
/// is a bonus (c_H > 0 pushes entropy up).
public struct PolicyObjective: Sendable {
    public var surrogate: ClippedSurrogate
    /// β; 0 = no KL term.
    public var klWeight: Double
    public var klEstimator: KLEstimator
    /// c_H; 0 = no entropy term.
    public var entropyCoefficient: Double
    public var aggregation: LossAggregation

    public init(surrogate: ClippedSurrogate, klWeight: Double = 0, klEstimator: KLEstimator = .k3,
                entropyCoefficient: Double = 0, aggregation: LossAggregation) {
        self.surrogate = surrogate
        self.klWeight = klWeight
        self.klEstimator = klEstimator
        self.entropyCoefficient = entropyCoefficient
        self.aggregation = aggregation
    }

    /// The share of the step loss of one micro-batch ([n, T] tensors; `advantages` may be [n]),
    /// and its diagnostics. The KL term needs `refLogProbs` when β ≠ 0, the entropy term
    /// `entropy` when c_H ≠ 0.
    ///
    /// Metrics are means over this micro-batch's valid tokens (the host averages them weighted
    /// by valid tokens): `policy_loss` is the surrogate part aggregated as if this micro-batch
    /// were the whole step; `kl` and `entropy` appear when their inputs are given.
    public func loss(logProbs: Tensor, oldLogProbs: Tensor, refLogProbs: Tensor?, advantages: Tensor, mask: Tensor,
                     entropy: Tensor?, step: StepSize) throws -> (loss: Tensor, metrics: LossMetrics) {
        let advantages = try (advantages.rank == 1 ? advantages.unsqueeze(1) : advantages).to(logProbs.dtype)
            .expand(mask.shape).keeping(mask)
        let ratio = try importanceRatio(logProbs: logProbs, oldLogProbs: oldLogProbs, mask: mask)
        let clip = try surrogate(ratio: ratio, advantages: advantages)
        var perToken = clip.loss
        let kl = try refLogProbs.map {
            try klEstimator(logProbs: logProbs.keeping(mask), refLogProbs: $0.to(logProbs.dtype).keeping(mask))
        }
        if klWeight != 0, let kl { perToken = try perToken + kl * klWeight }
        if entropyCoefficient != 0, let entropy {
            perToken = try perToken - entropy.keeping(mask) * entropyCoefficient
        }
        let loss = try aggregation(perToken, mask: mask, step: step)

        let metrics: LossMetrics = try withNoGrad {
            let local = try StepSize(mask: mask, maxNewTokens: step.maxNewTokens)
            var metrics: LossMetrics = [
                ("policy_loss", try aggregation(clip.loss, mask: mask, step: local).item()),
                ("clip_fraction_low", try Masked.fraction(clip.clippedLow, mask)),
                ("clip_fraction_high", try Masked.fraction(clip.clippedHigh, mask)),
            ]
            if let dualClipped = clip.dualClipped { metrics.append(("dual_clip_fraction", try Masked.fraction(dualClipped, mask))) }
            metrics.append(("ratio_mean", try Masked.mean(ratio, mask).item()))
            metrics.append(("ratio_max", try ratio.keeping(mask).max().item()))
            if let kl { metrics.append(("kl", try Masked.mean(kl, mask).item())) }
            if let entropy { metrics.append(("entropy", try Masked.mean(entropy, mask).item())) }
            return metrics
        }
        return (loss, metrics)
    }
}
