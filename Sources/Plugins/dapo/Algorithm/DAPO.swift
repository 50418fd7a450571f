import PolicyAlgorithms
import RLRunSDK

/// DAPO (Yu et al., arXiv 2503.14476, and verl's recipe; ALGORITHMS.md §3): GRPO with
/// clip-higher (ε_high = 0.28 leaves room for unlikely tokens to rise, against entropy
/// collapse), a token-level loss over the whole step (long answers weigh by their tokens),
/// dynamic sampling (only groups that are neither all right nor all wrong; up to 10 more
/// generation rounds, then train on what was kept), soft overlong punishment (L_cache = ¼ of
/// max new tokens), verl's dual clip c = 10 for negative advantages, and no KL. The recipe's
/// eval top_p 0.7 has no counterpart: rlrun's held-out evaluation is greedy. Its mini-batches of
/// 32 of the 512 prompts (16 optimizer steps a rollout) are `mini_batches: 16`, not suggested
/// here because the count would stay 16 under any other prompts_per_step.
public final class DAPO: GroupRelativePolicyOptimization, PluginDefinition {
    public static let defaults = GroupRelativeDefaults(
        policy: PolicyLossDefaults(groupSize: 16, clipHigh: 0.28, clipRatioC: 10, aggregation: .tokenMean),
        dynamicSampling: true, softOverlongPunishment: true,
        trainerDefaults: ["learning_rate": 1e-6, "warmup_steps": 10, "weight_decay": 0.1, "gradient_clip": 1.0,
                          "temperature": 1.0, "top_p": 1.0, "max_new_tokens": 20480,
                          "prompts_per_step": 512])

    public static let info = PluginInfo(
        id: "dapo", version: "1.0.0",
        summary: "DAPO: clip-higher, token-mean loss, dynamic sampling, soft overlong punishment, no KL",
        options: defaults.options)

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        try super.init(configuration: configuration, defaults: Self.defaults, host: host)
    }
}
