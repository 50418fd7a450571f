import PolicyAlgorithms
import RLRunSDK

/// GRPO (DeepSeekMath, DeepSeek-R1; ALGORITHMS.md §1): A_i = (r_i − mean_g r)/(std_g r + ε),
/// ℓ = −min(ρA, clip(ρ, 1 − ε, 1 + ε)A) + β·k3, each sequence's token mean, then the mean over
/// sequences. No KL by default (TRL's β = 0: no reference model to run); the paper used 0.04.
public final class GRPO: GroupRelativePolicyOptimization, PluginDefinition {
    public static let defaults = GroupRelativeDefaults(
        policy: PolicyLossDefaults(groupSize: 8, aggregation: .seqMeanTokenMean),
        trainerDefaults: ["learning_rate": 1e-6, "temperature": 1.0, "top_p": 1.0, "max_new_tokens": 512])

    public static let info = PluginInfo(
        id: "grpo", version: "1.0.0",
        summary: "GRPO: group-normalised outcome advantages, clipped surrogate, optional k3 KL to a reference",
        options: defaults.options)

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        try super.init(configuration: configuration, defaults: Self.defaults, host: host)
    }
}
