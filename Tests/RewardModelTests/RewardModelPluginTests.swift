import Foundation
import Testing
@testable import Core
import LimenValidation
import RLRunSDK

/// Completions the trained model should like (a plain answer) and dislike (a hedged one).
private let liked = "The answer is 7."
private let disliked = "Well, I think that maybe the answer is 7."

private func batch(_ completions: [String]) -> RewardBatch {
    RewardBatch(prompts: completions.map { _ in "What is 3 + 4?" }, completions: completions,
                references: completions.map { _ in "7" })
}

/// The reward-model plugin and LIMEN's tension model, both loaded through the real loader from
/// the libraries `swift build` puts next to the test binary: they link Models and compute with
/// the tensor table the host hands them.
@Suite struct RewardModelPluginTests {
    @Test func pluginScoresLikeTheLibrary() throws {
        let trained = try TrainedRewardModel.get()
        let loader = PluginLoader()
        let descriptor = try loader.descriptor(named: "reward-model", kind: .reward)
        #expect(descriptor.file.lastPathComponent == "libreward-model.so")
        #expect(descriptor.options.map(\.name) == ["model", "normalize", "scale", "batch_size", "device"])

        let raw = try loader.reward("reward-model", options: ["model": .string(trained.modelFolder.path), "normalize": "none"])
        let scores = try raw.score(batch([liked, disliked]))
        let expected = try trained.model.score(prompts: ["What is 3 + 4?", "What is 3 + 4?"], responses: [liked, disliked])
        #expect(scores.rewards == expected)
        #expect(scores.components == ["score": .numbers(expected)])
        #expect(scores.rewards[0] > scores.rewards[1])

        let centred = try loader.reward("reward-model", options: ["model": .string(trained.modelFolder.path), "scale": 2])
        let mean = try #require(trained.model.statistics).mean
        let shifted = try centred.score(batch([liked, disliked])).rewards
        for (value, score) in zip(shifted, expected) { #expect(abs(value - 2 * (score - mean)) < 1e-9) }
    }

    @Test func missingOrWrongModelIsAConfigurationError() throws {
        let loader = PluginLoader()
        let missing = try #require(throws: PluginLoadError.self) { try loader.reward("reward-model") }
        #expect(missing.problem.contains("pass --option reward-model.model=DIR"))
        let folder = try ScratchFolder("rm-plugin-empty")
        let wrong = try #require(throws: PluginLoadError.self) { try loader.reward("reward-model", options: ["model": .string(folder.url.path)]) }
        #expect(wrong.problem.contains("cannot load the reward model \(folder.url.path)"))
        #expect(wrong.problem.contains("no reward_model.json"))
    }

    @Test func limenTensionModelRaisesTheTensionOfWhatItDislikes() throws {
        let trained = try TrainedRewardModel.get()
        let options: [String: JSONValue] = ["reward": "tension"]
        let plain = try makeLimen(options)
        let withModel = try makeLimen(options.merging(["tension_model": .string(trained.modelFolder.path)]) { $1 })
        let completions = [liked, disliked]
        let before = try plain.score(batch(completions))
        let after = try withModel.score(batch(completions))
        // The explicit checks find nothing wrong with either (an answer marker, nothing unsafe).
        #expect(before.rewards == [0, 0])
        #expect(before.components["learned_tension"] == nil)
        guard case .numbers(let learned)? = after.components["learned_tension"],
              case .numbers(let modelScores)? = after.components["model_score"] else {
            Issue.record("no learned_tension/model_score components: \(after.components.keys.sorted())")
            return
        }
        #expect(learned[1] > learned[0], "the disliked completion has the higher learned tension")
        #expect(after.rewards[1] > after.rewards[0])
        #expect(after.rewards[1] > before.rewards[1])
        let mean = try #require(trained.model.statistics).mean
        for k in 0..<2 { #expect(abs(learned[k] - 1 / (1 + exp(modelScores[k] - mean))) < 1e-12) }

        // With every explicit check weighed 0, the tension is the learned one alone.
        let silentChecks = JSONValue.object(Dictionary(uniqueKeysWithValues: ["answer_consistency", "calculator", "contradiction",
                                                                             "repetition", "content", "format"].map { ($0, JSONValue.number(0)) }))
        let learnedOnly = try makeLimen(options.merging(["tension_model": .string(trained.modelFolder.path), "weights": silentChecks]) { $1 })
        let alone = try learnedOnly.score(batch(completions)).rewards
        for k in 0..<2 { #expect(abs(alone[k] - learned[k]) < 1e-12) }
    }

    @Test func limenWithATensionModelLoadsThroughTheRealLoader() throws {
        let trained = try TrainedRewardModel.get()
        let limen = try PluginLoader().reward("limen", options: ["reward": "tension", "tension_model": .string(trained.modelFolder.path),
                                                                 "tension_model_weight": 4])
        let scores = try limen.score(batch([liked, disliked]))
        #expect(scores.rewards[1] > scores.rewards[0])
        #expect(scores.rewards.allSatisfy { $0 > 0 && $0 < 1 })
        let bad = try #require(throws: PluginLoadError.self) {
            try PluginLoader().reward("limen", options: ["tension_model": "/nonexistent/rm"])
        }
        #expect(bad.problem.contains("tension_model: cannot load the reward model /nonexistent/rm"))
    }
}

private func makeLimen(_ options: [String: JSONValue]) throws -> LimenReward {
    try LimenReward(configuration: PluginConfiguration(pluginID: "limen", options: LimenReward.info.options, given: options),
                    host: PluginHost())
}
