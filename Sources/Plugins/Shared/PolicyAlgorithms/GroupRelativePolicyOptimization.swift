import PolicyObjectives
import RLRunSDK

/// Group-relative policy optimisation: G completions per prompt, each completion's advantage
/// from how its reward compares with its group's, the clipped surrogate on every token. GRPO,
/// Dr. GRPO and DAPO are this algorithm with different settings (ALGORITHMS.md §1–3); each
/// plugin subclasses it to declare its defaults.
open class GroupRelativePolicyOptimization: Algorithm {
    public let settings: GroupRelativeSettings
    public let requirements: AlgorithmRequirements
    private let host: PluginHost
    private var warnedAboutUnknownSuccess = false

    public init(configuration: PluginConfiguration, defaults: GroupRelativeDefaults, host: PluginHost) throws {
        let settings = try GroupRelativeSettings(configuration: configuration)
        self.settings = settings
        self.host = host
        requirements = AlgorithmRequirements(
            needsReference: settings.objective.klWeight != 0,
            needsEntropy: settings.objective.entropyCoefficient != 0,
            // The clipped surrogate of a zero advantage is zero; only KL and entropy reach such sequences.
            zeroAdvantageIsInert: settings.objective.klWeight == 0 && settings.objective.entropyCoefficient == 0,
            groupSize: settings.groupSize, mu: settings.mu,
            maxGenerationRounds: settings.dynamicSamplingMetric == nil ? 0 : settings.maxGenerationRounds,
            // Overlong filtering zeroes the mask, which only the host can: it takes the setting.
            trainerDefaults: defaults.trainerDefaults.merging(
                settings.overlongFiltering ? ["mask_truncated_completions": true] : [:]) { $1 })
    }

    /// Soft overlong punishment, when on: r_i += R_len(|o_i|).
    public func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws {
        guard let punishment = try settings.softOverlong(maxNewTokens: rollout.maxNewTokens) else { return }
        for i in rewards.indices { rewards[i] += punishment.penalty(length: rollout.completionTokens[i]) }
    }

    /// Dynamic sampling, when on: keep the groups whose metric is not the same for all
    /// completions. A group whose task success is unknown is judged by its rewards.
    public func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool] {
        guard let metric = settings.dynamicSamplingMetric else { return Array(repeating: true, count: rollout.groupCount) }
        var values = rewards
        if metric == .acc {
            for group in stride(from: 0, to: rollout.count, by: rollout.groupSize).map({ $0..<($0 + rollout.groupSize) }) {
                if group.allSatisfy({ rollout.correct[$0] != nil }) {
                    for i in group { values[i] = rollout.correct[i]! }
                } else if !warnedAboutUnknownSuccess {
                    warnedAboutUnknownSuccess = true
                    host.log(.warning, "dynamic sampling on acc: no task success reported for some completions; their groups are filtered on reward")
                }
            }
        }
        return groupsWithSignal(values, groupSize: rollout.groupSize)
    }

    /// A_i from the group's rewards, on every token of o_i. With overlong filtering a truncated
    /// completion gets none; it still counts in its group's mean and std (its reward is real).
    /// Its loss mask is zeroed by the host (the `mask_truncated_completions` setting this
    /// algorithm suggests), so it leaves the step's counts and KL term; zeroing the advantage
    /// here too keeps the filter for a host that ignores the suggestion.
    public func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let perCompletion = try settings.estimator(rewards: inputs.rewards, groupSize: inputs.rollout.groupSize,
                                                   scaling: settings.rewardScaling, eps: settings.stdEps, sum: host.sumOverProcesses)
        let mask = try settings.overlongFiltering ? maskingTruncated(inputs.mask, truncated: inputs.rollout.truncated) : inputs.mask
        return AdvantageOutputs(advantages: try broadcastOverTokens(perCompletion, mask: mask))
    }

    /// ℓ = clipped surrogate + β·KL − c_H·H per token, aggregated over the step.
    public func loss(_ inputs: LossInputs) throws -> LossOutputs {
        let (loss, metrics) = try settings.objective.loss(inputs)
        return LossOutputs(loss: loss, metrics: metrics)
    }
}
