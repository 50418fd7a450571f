import PolicyAlgorithms
import PolicyObjectives
import RLRunSDK

/// PPO with a critic for language models (InstructGPT; TRL PPOTrainer; ALGORITHMS.md §5).
/// Rollout: token rewards r_t = −β·(logp_old − logp_ref)_t with the score added at the last
/// token, GAE over the critic's values, advantages whitened over the batch. Update, for μ
/// epochs: the clipped surrogate plus c_v times the clipped value loss, one optimizer for both.
public final class PPO: PluginDefinition, Algorithm {
    public static let policyDefaults = PolicyLossDefaults(groupSize: 1, mu: 4, aggregation: .tokenMean)

    public static let info = PluginInfo(
        id: "ppo", version: "1.0.0",
        summary: "PPO with a value head: per-token KL in the reward, GAE, whitening, clipped policy and value losses",
        options: policyDefaults.options + [
            .number("gamma", default: 1.0, help: "γ: discount per token"),
            .number("lambda", default: 0.95, help: "λ of GAE: 1 = Monte-Carlo returns, 0 = one-step TD (TRL 0.95, verl 1.0)"),
            .number("value_clip", default: 0.2, help: "ε_v: a new value may move this far from the rollout's before the clipped error counts (TRL 0.2, OpenRLHF 0.5); 0 = off"),
            .number("vf_coefficient", default: 0.1, help: "c_v: weight of the value loss (TRL vf_coef)"),
            .boolean("whiten_advantages", default: true, help: "whiten advantages over the batch's valid tokens"),
            .number("kl_in_reward", default: 0.05, help: "β of the −β·KL per token folded into the rewards (TRL kl_coef); 0 = none"),
            .choice("kl_in_reward_estimator", [KLEstimator.k1.rawValue, KLEstimator.k3.rawValue], default: KLEstimator.k1.rawValue,
                    help: "estimator of the reward's KL, logp_old against logp_ref (TRL: k1 or k3)"),
            .number("missing_eos_penalty", default: 0, help: "subtracted from the score of a truncated completion (TRL); 0 = none"),
        ])

    public let requirements: AlgorithmRequirements
    let objective: PolicyObjective
    let valueLoss: ClippedValueLoss
    let gamma: Double
    let lambda: Double
    let vfCoefficient: Double
    let whitenAdvantages: Bool
    let klInReward: Double
    let rewardKL: KLEstimator
    let missingEOSPenalty: Double
    let host: PluginHost

    public init(configuration c: PluginConfiguration, host: PluginHost) throws {
        self.host = host
        objective = try PolicyObjective(configuration: c)
        gamma = try c.double("gamma")
        lambda = try c.double("lambda")
        vfCoefficient = try c.double("vf_coefficient")
        whitenAdvantages = try c.bool("whiten_advantages")
        klInReward = try c.double("kl_in_reward")
        rewardKL = try c.choice("kl_in_reward_estimator")
        missingEOSPenalty = try c.double("missing_eos_penalty")
        let valueClip = try c.double("value_clip")
        for (name, value) in [("gamma", gamma), ("lambda", lambda)] where !(0...1).contains(value) {
            throw PluginError(.config, "\(name) must be in [0, 1], got \(value)")
        }
        for (name, value) in [("value_clip", valueClip), ("vf_coefficient", vfCoefficient), ("kl_in_reward", klInReward)] where value < 0 {
            throw PluginError(.config, "\(name) must be >= 0, got \(value)")
        }
        valueLoss = ClippedValueLoss(clip: valueClip == 0 ? nil : valueClip, aggregation: objective.aggregation)
        requirements = AlgorithmRequirements(
            needsReference: klInReward != 0 || objective.klWeight != 0, needsCritic: true,
            needsEntropy: objective.entropyCoefficient != 0,
            groupSize: try c.int("group_size", atLeast: 1), mu: try c.int("mu", atLeast: 1),
            trainerDefaults: ["learning_rate": 1e-6, "critic_learning_rate": 9e-6, "temperature": 1.0, "top_p": 1.0])
    }

    /// TRL's missing-EOS penalty: a truncated completion's score is lowered.
    public func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws {
        guard missingEOSPenalty != 0 else { return }
        for i in rewards.indices where rollout.truncated[i] { rewards[i] -= missingEOSPenalty }
    }

    /// r_t = −β·KL_t (+ score at the last token), then GAE with the critic's values V_old;
    /// returns R_t = A_t + V_t are taken before whitening.
    public func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        let mask = inputs.mask
        guard let values = inputs.values else {
            throw PluginError(.input, "ppo needs the critic's values [N, T] of the rollout (requirements.needsCritic)")
        }
        var kl: Tensor?
        if klInReward != 0 {
            guard let ref = inputs.refLogProbs else {
                throw PluginError(.input, "kl_in_reward is \(klInReward) but no reference log-probs came (requirements.needsReference)")
            }
            kl = try rewardKL(logProbs: inputs.oldLogProbs.keeping(mask), refLogProbs: ref.keeping(mask))
        }
        let rewards = try tokenRewards(scores: inputs.rewards, kl: kl, beta: klInReward, mask: mask)
        let (advantages, returns) = try generalizedAdvantageEstimation(tokenRewards: rewards, values: values, mask: mask,
                                                                       gamma: gamma, lambda: lambda)
        // Whitened with the whole batch's statistics, over every process of a data-parallel run.
        let whitened = try whitenAdvantages ? Masked.whiten(advantages, mask, sum: host.sumOverProcesses) : advantages
        return AdvantageOutputs(advantages: whitened, returns: returns)
    }

    /// L = L_pg + c_v·L_v over the step.
    public func loss(_ inputs: LossInputs) throws -> LossOutputs {
        guard let values = inputs.values, let returns = inputs.returns else {
            throw PluginError(.input, "ppo's loss needs the critic's values and the returns from advantages")
        }
        if valueLoss.clip != nil && inputs.oldValues == nil {
            throw PluginError(.input, "value_clip needs the rollout's values (old_values); set value_clip to 0 to train without them")
        }
        let policy = try objective.loss(inputs)
        let value = try valueLoss.loss(values: values, oldValues: inputs.oldValues, returns: returns, mask: inputs.mask,
                                       step: StepSize(inputs))
        return LossOutputs(loss: try policy.loss + value.loss * vfCoefficient, metrics: policy.metrics + value.metrics)
    }
}
