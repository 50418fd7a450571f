import Foundation
import Testing
@testable import Core
import RLRunSDK

/// The seeds' composite reward as `--preset composite`: the four plugins with their weights,
/// LIMEN giving its tension, and a run built from it that takes a training step.
@Suite struct CompositePresetTests {
    @Test func presetResolvesToTheFourWeightedRewards() throws {
        var run = RunConfiguration()
        try run.apply(try #require(Presets.all["composite"]), source: "preset composite")
        #expect(run.rewards.map(\.name) == ["curiosity", "limen", "quality", "safety"])
        #expect(run.rewards.map(\.weight) == [0.2, -0.3, 0.4, 0.1])
        #expect(run.pluginOptions["limen"]?["reward"] == "tension")
        #expect(run.pluginOptions["arithmetic"]?["difficulty"] == "easy", "the built-in task keeps its default options")
    }

    @Test func presetRunTakesAStep() throws {
        let folder = try ScratchFolder("composite")
        var run = RunConfiguration()
        try run.apply(try #require(Presets.all["composite"]), source: "preset composite")
        try run.apply([
            "run_dir": .string(folder.file("run").path), "warm_start_steps": 5, "steps": 1, "prompts_per_step": 2, "group_size": 2,
            "max_new_tokens": 8, "eval_prompts": 2, "eval_every": 0,
        ], source: "test")
        let prepared = try RunBuilder.prepare(run, cache: folder.file("cache"), log: { _ in })
        let terms = prepared.trainer.rewards.terms
        #expect(terms.map(\.name) == ["curiosity", "limen", "quality", "safety"])
        #expect(terms.map(\.weight) == [0.2, -0.3, 0.4, 0.1])
        let metrics = try prepared.trainer.trainStep()
        #expect(metrics.values.allSatisfy { $0.isFinite })
        #expect(metrics.keys.contains { $0.contains("limen") }, "each component is logged: \(metrics.keys.sorted())")
    }
}
