import DAPOAlgorithm
import DrGRPOAlgorithm
import GRPOAlgorithm
@testable import PPOAlgorithm
import PolicyObjectives
import RLRunSDK
import Testing

@Suite struct RequirementsTests {
    @Test func grpoDefaults() throws {
        let grpo = try make(GRPO.self)
        #expect(grpo.requirements == AlgorithmRequirements(
            zeroAdvantageIsInert: true, groupSize: 8, trainerDefaults: ["learning_rate": 1e-6, "temperature": 1.0, "top_p": 1.0, "max_new_tokens": 512]))
        let s = grpo.settings
        #expect(s.objective.surrogate == ClippedSurrogate(clipLow: 0.2, clipHigh: 0.2))
        #expect(s.objective.aggregation == .seqMeanTokenMean && s.objective.klWeight == 0 && s.objective.klEstimator == .k3)
        #expect(s.estimator == .grpo && s.rewardScaling == .group && s.stdEps == 1e-6 && s.mu == 1)
        #expect(s.dynamicSamplingMetric == nil && !s.overlongFiltering && !s.softOverlongPunishment)
    }

    @Test func grpoWithTheKLOfDeepSeekMathNeedsTheReference() throws {
        let grpo = try make(GRPO.self, ["kl_weight": 0.04, "entropy_coefficient": 0.001, "mu": 2, "group_size": 64])
        #expect(grpo.requirements.needsReference && grpo.requirements.needsEntropy && !grpo.requirements.needsCritic)
        #expect(!grpo.requirements.zeroAdvantageIsInert, "KL and entropy reach sequences of zero advantage")
        #expect(!(try make(GRPO.self, ["entropy_coefficient": 0.001]).requirements.zeroAdvantageIsInert))
        #expect(grpo.requirements.mu == 2 && grpo.requirements.groupSize == 64)
    }

    @Test func drgrpoMakesExactlyTwoChanges() throws {
        let grpo = try make(GRPO.self).settings
        let drgrpo = try make(DrGRPO.self).settings
        #expect(drgrpo.rewardScaling == .none && drgrpo.objective.aggregation == .seqMeanTokenSumNorm)
        #expect(drgrpo.objective.surrogate == grpo.objective.surrogate && drgrpo.objective.klWeight == 0)
        #expect(drgrpo.groupSize == 8 && drgrpo.mu == 1 && drgrpo.dynamicSamplingMetric == nil)
        let requirements = try make(DrGRPO.self).requirements
        #expect(!requirements.needsReference && requirements.trainerDefaults["max_new_tokens"] == 3000)
        #expect(requirements.zeroAdvantageIsInert)
    }

    @Test func dapoDefaults() throws {
        let dapo = try make(DAPO.self)
        let s = dapo.settings
        #expect(s.objective.surrogate == ClippedSurrogate(clipLow: 0.2, clipHigh: 0.28, dualClip: 10))
        #expect(s.objective.aggregation == .tokenMean && s.objective.klWeight == 0 && s.rewardScaling == .group)
        #expect(s.dynamicSamplingMetric == .acc && s.softOverlongPunishment && !s.overlongFiltering && s.overlongCacheLength == 0)
        #expect(dapo.requirements.groupSize == 16 && dapo.requirements.maxGenerationRounds == 10 && !dapo.requirements.needsReference)
        #expect(dapo.requirements.trainerDefaults["weight_decay"] == 0.1)
        #expect(try make(DAPO.self, ["dynamic_sampling": false]).requirements.maxGenerationRounds == 0)
        #expect(try make(DAPO.self, ["max_generation_rounds": 3]).requirements.maxGenerationRounds == 3)
    }

    @Test func ppoDefaults() throws {
        let ppo = try make(PPO.self)
        #expect(ppo.requirements == AlgorithmRequirements(
            needsReference: true, needsCritic: true, groupSize: 1, mu: 4,
            trainerDefaults: ["learning_rate": 1e-6, "critic_learning_rate": 9e-6, "temperature": 1.0, "top_p": 1.0]))
        #expect(ppo.gamma == 1 && ppo.lambda == 0.95 && ppo.vfCoefficient == 0.1 && ppo.whitenAdvantages)
        #expect(ppo.klInReward == 0.05 && ppo.rewardKL == .k1 && ppo.valueLoss.clip == 0.2)
        #expect(ppo.objective.aggregation == .tokenMean && ppo.objective.surrogate == ClippedSurrogate())
        #expect(try !make(PPO.self, ["kl_in_reward": 0]).requirements.needsReference)
    }

    @Test func everyPluginDeclaresTheSpecsKnobs() {
        let shared = ["group_size", "mu", "clip_low", "clip_high", "clip_ratio_c", "delta", "kl_weight", "kl_estimator",
                      "entropy_coefficient", "loss_aggregation"]
        let group = ["advantage_estimator", "reward_scaling", "std_eps", "dynamic_sampling", "dynamic_sampling_metric",
                     "max_generation_rounds", "overlong_filtering", "soft_overlong_punishment", "overlong_cache_length",
                     "overlong_penalty_factor"]
        for info in [GRPO.info, DrGRPO.info, DAPO.info] { #expect(info.options.map(\.name) == shared + group, "\(info.id)") }
        #expect(PPO.info.options.map(\.name) == shared + ["gamma", "lambda", "value_clip", "vf_coefficient", "whiten_advantages",
                                                          "kl_in_reward", "kl_in_reward_estimator", "missing_eos_penalty"])
        #expect([GRPO.info.id, DrGRPO.info.id, DAPO.info.id, PPO.info.id] == ["grpo", "drgrpo", "dapo", "ppo"])
    }

    @Test(arguments: [
        ["clip_ratio_c": 0.5], ["delta": 1.1], ["clip_low": 1.0], ["kl_weight": -0.1], ["std_eps": 0],
        ["group_size": 1, "dynamic_sampling": true], ["mu": 0], ["max_generation_rounds": -1], ["loss_aggregation": "mean"],
    ] as [[String: JSONValue]])
    func badGroupSettingsAreRefused(given: [String: JSONValue]) {
        #expect(throws: PluginError.self) { try make(GRPO.self, given) }
    }

    @Test(arguments: [["gamma": 1.5], ["lambda": -0.1], ["value_clip": -1], ["kl_in_reward_estimator": "k2"]] as [[String: JSONValue]])
    func badPPOSettingsAreRefused(given: [String: JSONValue]) {
        #expect(throws: PluginError.self) { try make(PPO.self, given) }
    }
}
