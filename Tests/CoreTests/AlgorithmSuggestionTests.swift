import Testing
@testable import Core
import RLRunSDK
import Training

/// What the shipped algorithm plugins suggest to the trainer is what the trainer reads:
/// RunBuilder keeps only known keys, so a suggestion under any other name is lost unseen.
@Suite struct AlgorithmSuggestionTests {
    let loader = PluginLoader()

    @Test(arguments: ["grpo", "drgrpo", "dapo", "ppo", "diffu-grpo"])
    func everySuggestedSettingIsOneTheTrainerKnows(name: String) throws {
        let algorithm = try loader.algorithm(name)
        let unknown = algorithm.requirements.trainerDefaults.keys.filter { !TrainingConfiguration.knownKeys.contains($0) }
        #expect(unknown.isEmpty, "\(name) suggests settings the trainer drops: \(unknown.sorted())")
        _ = try TrainingConfiguration().applying(algorithm.requirements.trainerDefaults, source: name)
    }

    /// Overlong filtering zeroes the loss mask, which only the host can do.
    @Test func overlongFilteringAsksTheTrainerToMaskTruncatedCompletions() throws {
        for name in ["grpo", "drgrpo", "dapo"] {
            let on = try loader.algorithm(name, options: ["overlong_filtering": true]).requirements.trainerDefaults
            let off = try loader.algorithm(name, options: ["overlong_filtering": false]).requirements.trainerDefaults
            #expect(on["mask_truncated_completions"] == true, "\(name)")
            #expect(off["mask_truncated_completions"] == nil, "\(name)")
        }
    }

    /// PPO's 9e-6 sits beside its actor's 1e-6; the built-in policy's actor trains at 1e-4, so
    /// there the critic follows the actor's rate instead, and only algorithms with a critic are told so.
    @Test func theBuiltInPolicyLetsTheCriticFollowTheActorsRate() throws {
        let ppo = try loader.algorithm("ppo").requirements.trainerDefaults
        #expect(ppo["critic_learning_rate"] == 9e-6)
        let resolved = try TrainingConfiguration().applying(ppo, source: "ppo")
            .applying(BuiltInPolicy.trainerDefaults(for: .causal, critic: true), source: "built-in")
        #expect(resolved.criticLearningRate == nil && resolved.learningRate == 1e-4)
        #expect(BuiltInPolicy.trainerDefaults(for: .causal)["critic_learning_rate"] == nil)
    }
}
