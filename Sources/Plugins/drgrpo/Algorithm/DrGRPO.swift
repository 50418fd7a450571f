import PolicyAlgorithms
import RLRunSDK

/// Dr. GRPO (Liu et al., "Understanding R1-Zero-Like Training", arXiv 2503.20783; ALGORITHMS.md
/// §2): GRPO with exactly two changes, both removing a bias. The advantage is not divided by
/// the group's std (which favours prompts that are too easy or too hard), and each sequence's
/// token losses are summed and divided by the constant max new tokens rather than the
/// sequence's own length (which favours long wrong answers).
public final class DrGRPO: GroupRelativePolicyOptimization, PluginDefinition {
    public static let defaults = GroupRelativeDefaults(
        policy: PolicyLossDefaults(groupSize: 8, aggregation: .seqMeanTokenSumNorm),
        rewardScaling: .none,
        trainerDefaults: ["learning_rate": 1e-6, "lr_schedule": "constant", "temperature": 1.0, "top_p": 1.0,
                          "max_new_tokens": 3000, "prompts_per_step": 128])

    public static let info = PluginInfo(
        id: "drgrpo", version: "1.0.0",
        summary: "Dr. GRPO: GRPO without std scaling, token sums over the constant max new tokens",
        options: defaults.options)

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        try super.init(configuration: configuration, defaults: Self.defaults, host: host)
    }
}
