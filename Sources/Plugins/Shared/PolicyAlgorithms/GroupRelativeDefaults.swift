import PolicyObjectives
import RLRunSDK

/// One group-relative algorithm's defaults: GRPO's unless said otherwise, so Dr. GRPO and
/// DAPO read as the list of their changes.
public struct GroupRelativeDefaults: Sendable {
    public var policy: PolicyLossDefaults
    public var estimator: OutcomeEstimator
    public var rewardScaling: RewardScaling
    public var stdEps: Double
    public var dynamicSampling: Bool
    public var dynamicSamplingMetric: DynamicSamplingMetric
    public var maxGenerationRounds: Int
    public var overlongFiltering: Bool
    public var softOverlongPunishment: Bool
    /// Trainer settings the algorithm's reference runs used (learning_rate, temperature, ...).
    public var trainerDefaults: [String: JSONValue]

    public init(policy: PolicyLossDefaults, estimator: OutcomeEstimator = .grpo, rewardScaling: RewardScaling = .group,
                stdEps: Double = 1e-6, dynamicSampling: Bool = false, dynamicSamplingMetric: DynamicSamplingMetric = .acc,
                maxGenerationRounds: Int = 10, overlongFiltering: Bool = false, softOverlongPunishment: Bool = false,
                trainerDefaults: [String: JSONValue]) {
        self.policy = policy
        self.estimator = estimator
        self.rewardScaling = rewardScaling
        self.stdEps = stdEps
        self.dynamicSampling = dynamicSampling
        self.dynamicSamplingMetric = dynamicSamplingMetric
        self.maxGenerationRounds = maxGenerationRounds
        self.overlongFiltering = overlongFiltering
        self.softOverlongPunishment = softOverlongPunishment
        self.trainerDefaults = trainerDefaults
    }

    public var options: [PluginOption] {
        policy.options + [
            .choice("advantage_estimator", OutcomeEstimator.allCases.map(\.rawValue), default: estimator.rawValue,
                    help: "grpo: (r − group mean) / scale; rloo: r − mean of the other completions of the group"),
            .choice("reward_scaling", RewardScaling.allCases.map(\.rawValue), default: rewardScaling.rawValue,
                    help: "grpo estimator: divide by the group's std, the batch's std, or not at all (Dr. GRPO)"),
            .number("std_eps", default: stdEps, help: "added to the std before dividing (TRL 1e-4, verl 1e-6)"),
            .boolean("dynamic_sampling", default: dynamicSampling,
                     help: "train only on groups whose metric varies, generating more rounds to fill the batch (DAPO)"),
            .choice("dynamic_sampling_metric", DynamicSamplingMetric.allCases.map(\.rawValue), default: dynamicSamplingMetric.rawValue,
                    help: "what must vary within a kept group: task success (acc) or reward"),
            .integer("max_generation_rounds", default: maxGenerationRounds,
                     help: "dynamic sampling: extra generation rounds at most, then train on what was kept; 0 = filter only"),
            .boolean("overlong_filtering", default: overlongFiltering,
                     help: "truncated completions (no EOS) get loss mask 0: no advantage, and out of the token counts (DAPO overlong filtering; TRL mask_truncated_completions)"),
            .boolean("soft_overlong_punishment", default: softOverlongPunishment,
                     help: "reward falls linearly to −factor over the last overlong_cache_length tokens of the budget (DAPO)"),
            .integer("overlong_cache_length", default: 0,
                     help: "L_cache of the soft overlong punishment; 0 = a quarter of max new tokens"),
            .number("overlong_penalty_factor", default: 1.0, help: "the soft overlong punishment at the full budget"),
        ]
    }
}

/// The group-relative knobs as the configuration set them, checked.
public struct GroupRelativeSettings: Sendable {
    public var objective: PolicyObjective
    public var groupSize: Int
    public var mu: Int
    public var estimator: OutcomeEstimator
    public var rewardScaling: RewardScaling
    public var stdEps: Double
    /// nil = dynamic sampling off.
    public var dynamicSamplingMetric: DynamicSamplingMetric?
    public var maxGenerationRounds: Int
    public var overlongFiltering: Bool
    public var softOverlongPunishment: Bool
    /// 0 = a quarter of the generation budget.
    public var overlongCacheLength: Int
    public var overlongPenaltyFactor: Double

    public init(configuration c: PluginConfiguration) throws {
        objective = try PolicyObjective(configuration: c)
        groupSize = try c.int("group_size", atLeast: 1)
        mu = try c.int("mu", atLeast: 1)
        estimator = try c.choice("advantage_estimator")
        rewardScaling = try c.choice("reward_scaling")
        stdEps = try c.double("std_eps")
        try require(stdEps > 0, "std_eps must be > 0 (a group with equal rewards has std 0), got \(stdEps)")
        let dynamicSampling = try c.bool("dynamic_sampling")
        try require(!dynamicSampling || groupSize >= 2, "dynamic_sampling compares completions within a group: group_size must be >= 2")
        dynamicSamplingMetric = dynamicSampling ? try c.choice("dynamic_sampling_metric") : nil
        maxGenerationRounds = try c.int("max_generation_rounds", atLeast: 0)
        overlongFiltering = try c.bool("overlong_filtering")
        softOverlongPunishment = try c.bool("soft_overlong_punishment")
        overlongCacheLength = try c.int("overlong_cache_length", atLeast: 0)
        overlongPenaltyFactor = try c.double("overlong_penalty_factor")
        try require(overlongPenaltyFactor >= 0, "overlong_penalty_factor must be >= 0, got \(overlongPenaltyFactor)")
    }

    /// The punishment for a generation budget of `maxNewTokens`, or nil when off.
    public func softOverlong(maxNewTokens: Int) throws -> SoftOverlongPunishment? {
        guard softOverlongPunishment else { return nil }
        let cache = overlongCacheLength == 0 ? Swift.max(maxNewTokens / 4, 1) : overlongCacheLength
        guard cache <= maxNewTokens else {
            throw PluginError(.config, "overlong_cache_length \(cache) exceeds the generation budget of \(maxNewTokens) tokens")
        }
        return SoftOverlongPunishment(maxLength: maxNewTokens, cacheLength: cache, factor: overlongPenaltyFactor)
    }
}
