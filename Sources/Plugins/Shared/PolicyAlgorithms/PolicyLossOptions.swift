import PolicyObjectives
import RLRunSDK

/// The knobs every policy-optimisation plugin declares (group size, updates per rollout, the
/// clipped surrogate, KL, entropy, aggregation), with one algorithm's defaults. Each plugin
/// states only where it departs from the library defaults (ε = 0.2 both sides, no KL, k3 when
/// KL is on, no entropy bonus, one update per rollout).
public struct PolicyLossDefaults: Sendable {
    public var groupSize: Int
    public var mu: Int
    public var clipLow: Double
    public var clipHigh: Double
    /// Dual clip c; 0 = off.
    public var clipRatioC: Double
    /// TRL's two-sided δ; 0 = off.
    public var delta: Double
    public var klWeight: Double
    public var klEstimator: KLEstimator
    public var entropyCoefficient: Double
    public var aggregation: LossAggregation

    public init(groupSize: Int, mu: Int = 1, clipLow: Double = 0.2, clipHigh: Double = 0.2, clipRatioC: Double = 0,
                delta: Double = 0, klWeight: Double = 0, klEstimator: KLEstimator = .k3, entropyCoefficient: Double = 0,
                aggregation: LossAggregation) {
        self.groupSize = groupSize
        self.mu = mu
        self.clipLow = clipLow
        self.clipHigh = clipHigh
        self.clipRatioC = clipRatioC
        self.delta = delta
        self.klWeight = klWeight
        self.klEstimator = klEstimator
        self.entropyCoefficient = entropyCoefficient
        self.aggregation = aggregation
    }

    public var options: [PluginOption] {
        [
            .integer("group_size", default: groupSize, help: "completions per prompt (G)"),
            .integer("mu", default: mu, help: "policy updates per rollout (μ; TRL num_iterations, PPO epochs)"),
            .number("clip_low", default: clipLow, help: "ε_low: the ratio is clipped below at 1 − ε_low"),
            .number("clip_high", default: clipHigh, help: "ε_high: the ratio is clipped above at 1 + ε_high (DAPO clip-higher: 0.28)"),
            .number("clip_ratio_c", default: clipRatioC,
                    help: "dual clip c > 1 for negative advantages: the token loss is at most −c·A (verl clip_ratio_c); 0 = off"),
            .number("delta", default: delta,
                    help: "two-sided clip: the unclipped ratio is capped at δ > 1 + ε_high (TRL delta, INTELLECT-2); 0 = off"),
            .number("kl_weight", default: klWeight, help: "β: weight of the KL to the reference policy in the loss; 0 = no reference model"),
            .choice("kl_estimator", KLEstimator.allCases.map(\.rawValue), default: klEstimator.rawValue,
                    help: "per-token KL estimator: k1 logp − ref, k2 ½Δ², k3 exp(Δ) − Δ − 1 (verl low_var_kl)"),
            .number("entropy_coefficient", default: entropyCoefficient,
                    help: "c_H: the loss subtracts c_H·entropy per token (a bonus when > 0); 0 = entropies not computed"),
            .choice("loss_aggregation", LossAggregation.allCases.map(\.rawValue), default: aggregation.rawValue,
                    help: "how token losses become the step loss (verl loss_agg_mode)"),
        ]
    }
}

extension PolicyObjective {
    /// The objective the options describe, checked.
    public init(configuration c: PluginConfiguration) throws {
        let clipLow = try c.double("clip_low")
        let clipHigh = try c.double("clip_high")
        let clipRatioC = try c.double("clip_ratio_c")
        let delta = try c.double("delta")
        try require(clipLow >= 0 && clipLow < 1, "clip_low must be in [0, 1), got \(clipLow)")
        try require(clipHigh >= 0, "clip_high must be >= 0, got \(clipHigh)")
        try require(clipRatioC == 0 || clipRatioC > 1, "clip_ratio_c must be 0 (off) or > 1, got \(clipRatioC)")
        try require(delta == 0 || delta > 1 + clipHigh, "delta must be 0 (off) or > 1 + clip_high = \(1 + clipHigh), got \(delta)")
        let klWeight = try c.double("kl_weight")
        try require(klWeight >= 0, "kl_weight must be >= 0, got \(klWeight)")
        self.init(surrogate: ClippedSurrogate(clipLow: clipLow, clipHigh: clipHigh, dualClip: clipRatioC == 0 ? nil : clipRatioC,
                                              delta: delta == 0 ? nil : delta),
                  klWeight: klWeight, klEstimator: try c.choice("kl_estimator"),
                  entropyCoefficient: try c.double("entropy_coefficient"), aggregation: try c.choice("loss_aggregation"))
    }
}

extension PluginConfiguration {
    /// A choice option as its enum.
    public func choice<Choice: RawRepresentable<String>>(_ name: String) throws -> Choice {
        guard let text = try string(name), let value = Choice(rawValue: text) else {
            throw PluginError(.config, "option '\(name)' has no valid value")
        }
        return value
    }

    /// An integer option that must be at least `minimum`.
    public func int(_ name: String, atLeast minimum: Int) throws -> Int {
        let value = try int(name)
        try require(value >= minimum, "\(name) must be >= \(minimum), got \(value)")
        return value
    }
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw PluginError(.config, message()) }
}

extension PolicyObjective {
    /// The loss of one micro-batch as the trainer sends it, refused when the objective needs a
    /// tensor the trainer did not send.
    public func loss(_ inputs: LossInputs) throws -> (loss: Tensor, metrics: LossMetrics) {
        if klWeight != 0 && inputs.refLogProbs == nil {
            throw PluginError(.input, "kl_weight is \(klWeight) but no reference log-probs came (requirements.needsReference)")
        }
        if entropyCoefficient != 0 && inputs.entropy == nil {
            throw PluginError(.input, "entropy_coefficient is \(entropyCoefficient) but no entropies came (requirements.needsEntropy)")
        }
        return try loss(logProbs: inputs.logProbs, oldLogProbs: inputs.oldLogProbs, refLogProbs: inputs.refLogProbs,
                        advantages: inputs.advantages, mask: inputs.mask, entropy: inputs.entropy, step: StepSize(inputs))
    }
}

extension StepSize {
    public init(_ inputs: LossInputs) {
        self.init(tokens: inputs.stepTokens, sequences: inputs.stepSequences, maxNewTokens: inputs.maxNewTokens)
    }
}
