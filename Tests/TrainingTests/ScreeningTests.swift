import Testing
@testable import Engine
@testable import Models
import RLRunSDK
@testable import Training

/// `screening_samples`: dynamic sampling screens each prompt with the first part of its group and
/// samples the rest only for prompts whose screen passes the algorithm's filter.
@Suite struct ScreeningTests {
    func trainer(_ settings: [String: JSONValue], algorithm: any Algorithm = FilteringBaseline()) throws -> Trainer {
        var configuration = TrainingConfiguration()
        configuration = try configuration.applying(["learning_rate": 1e-2, "prompts_per_step": 3, "max_new_tokens": 6, "seed": 7,
                                                    "screening_samples": 2].merging(settings) { $1 }, source: "test")
        return try Trainer(policy: TrainerTests().policy(seed: 7), algorithm: algorithm,
                           rewards: RewardComposer([.init(name: "seven", weight: 1, reward: SevenReward())]),
                           dataset: Prompts(), configuration: configuration)
    }

    @Test func onlyPromptsWhoseScreenPassesGetWholeGroups() throws {
        let trainer = try trainer([:])
        var screenedOut = 0.0, passed = 0
        for _ in 0..<4 {
            let metrics = try trainer.trainStep()
            let batch = try #require(trainer.lastGenerated)
            #expect(batch.groupSize == 4 && batch.count == 4 * batch.groupCount)
            for g in 0..<batch.groupCount {
                let rows = (4 * g)..<(4 * g + 4)
                // The screen (first two) differs; all four share one prompt.
                #expect(Set(batch.rewards[rows.prefix(2)]).count > 1)
                #expect(Set(rows.map { batch.prompts[$0] }).count == 1)
            }
            // Every prompt of every round either passed its screen or was counted as screened out.
            let prompts = metrics["generation_rounds"]! * 3
            #expect(metrics["groups_screened_out"]! + Double(batch.groupCount) == prompts)
            #expect(metrics["groups_kept"]! + metrics["groups_dropped"]! == prompts)
            screenedOut += metrics["groups_screened_out"]!
            passed += batch.groupCount
        }
        // The seeded policy gives both outcomes.
        #expect(screenedOut > 0 && passed > 0)
    }

    @Test func theSameSeedScreensTheSame() throws {
        let first = try trainer([:]), second = try trainer([:])
        for _ in 0..<2 {
            let a = try first.trainStep(), b = try second.trainStep()
            #expect(a["groups_screened_out"] == b["groups_screened_out"] && a["reward_mean"] == b["reward_mean"])
            #expect(first.lastGenerated?.completions == second.lastGenerated?.completions)
        }
    }

    @Test func refusedWithoutDynamicSamplingOrWithoutARest() {
        #expect { try trainer([:], algorithm: GroupBaseline()) } throws: {
            "\($0)".contains("screening_samples") && "\($0)".contains("keeps every group")
        }
        #expect { try trainer(["screening_samples": 4]) } throws: {
            "\($0)".contains("screening_samples") && "\($0)".contains("less than group_size (4)")
        }
        #expect { try TrainingConfiguration().applying(["screening_samples": 0], source: "run.yaml") } throws: {
            "\($0)".contains("run.yaml") && "\($0)".contains("screening_samples must be > 0")
        }
    }
}
