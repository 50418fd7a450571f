import Foundation
import Testing
@testable import Core
import RLRunSDK

/// `rlrun eval` through the library call it makes (EvaluationJob), with the shipped arithmetic
/// dataset and gsm8k reward loaded by the real plugin loader, on two tiny fresh models.
@Suite struct EvalCommandTests {
    /// A fresh built-in-shaped model in `folder`, as `rlrun sft --model builtin` writes one.
    /// (At the usual std of 0.02 every fresh model repeats one character; a wider spread gives
    /// models whose answers differ.)
    static func tinyModel(seed: UInt64, std: Double = 0.02, in folder: URL) throws -> URL {
        let model = try Transformer(configuration: BuiltInPolicy.configuration, weights: .random(
            generator: Generator(seed: seed), std: std, dtype: .float32, device: .cpu))
        try model.save(to: folder)
        try AtomicFile.write(BuiltInPolicy.tokenizer.jsonData(), to: folder.appendingPathComponent("tokenizer.json"))
        return folder
    }

    static func job(_ a: URL, _ b: URL?) -> EvaluationJob {
        var job = EvaluationJob(model: a.path, baseline: b?.path)
        job.limit = 6
        job.maxNewTokens = 8
        job.batchSize = 4  // two batches, so results are stitched together in order
        return job
    }

    @Test func twoModelsAnswerTheSameItemsAndTheComparisonAddsUp() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try Self.tinyModel(seed: 1, in: directory.file("a")), b = try Self.tinyModel(seed: 2, std: 0.5, in: directory.file("b"))
        let report = try Self.job(a, b).run(cache: directory.file("cache"))

        #expect(report.dataset == "arithmetic (difficulty=easy)")
        #expect(report.split == "test")
        #expect(report.rewards.map(\.name) == ["gsm8k"] && report.rewards.map(\.weight) == [1])
        #expect(report.lines[0].hasSuffix("rewards gsm8k×1"))
        #expect(report.items.count == 6)
        let model = report.model, baseline = try #require(report.baseline)
        for evaluation in [model, baseline] {
            #expect(evaluation.n == 6)
            #expect(evaluation.maxNewTokens == 8)
            #expect(evaluation.completions.count == 6)
            // gsm8k reports accuracy, so every item has a verdict and the interval is Wilson's.
            let correct = try #require(evaluation.correct)
            #expect(evaluation.accuracyInterval == ComparisonStatistics.wilsonInterval(successes: correct.filter { $0 }.count, trials: 6))
        }
        #expect(model.completions != baseline.completions, "different weights, different answers")
        let comparison = try #require(report.comparison)
        let outcomes = try #require(comparison.outcomes)
        #expect(outcomes.n == 6)
        #expect(outcomes == PairedOutcomes(a: model.correct!, b: baseline.correct!))
        #expect(abs(comparison.accuracyDifference!.mean - (model.accuracy! - baseline.accuracy!)) < 1e-12)

        let json = report.json
        #expect(json["items"]?.intValue == 6)
        #expect(json["rewards"] == .object(["gsm8k": 1]))
        #expect(json["model"]?["n"]?.intValue == 6)
        #expect(json["model"]?["accuracy_ci95"]?.arrayValue?.count == 2)
        #expect(json["comparison"]?["mcnemar_exact_p"]?.doubleValue == outcomes.mcnemarExactP)
        for key in ["a_only", "b_only", "both", "neither"] { #expect(json["comparison"]?[key]?.intValue != nil, "\(key)") }
        #expect(report.lines.contains { $0.hasPrefix("[EVAL] McNemar exact p = ") })
    }

    /// The per-item path gives the Evaluator's own numbers on the same items.
    @Test func accuracyAndRewardMatchTheTrainersEvaluator() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try Self.tinyModel(seed: 3, in: directory.file("a"))
        var job = Self.job(a, nil)
        job.batchSize = 32  // the Evaluator's batches, so padding and numerics are the same
        let report = try job.run(cache: directory.file("cache"))
        #expect(report.baseline == nil && report.comparison == nil)

        let loader = PluginLoader()
        let dataset = try loader.dataset("arithmetic", options: ["difficulty": "easy"])
        let rewards = RewardComposer([.init(name: "gsm8k", weight: 1, reward: try loader.reward("gsm8k"))])
        let loaded = try PolicyFolder.load(a, device: .cpu)
        let sampling = try PolicyFolder.defaultSettings(for: loaded).applying(["max_new_tokens": 8], source: "test").sampling(for: loaded.policy)
        let reference = try Evaluator(policy: loaded.policy, rewards: rewards, dataset: dataset, split: "test", prompts: 6,
                                      sampling: sampling).run()
        #expect(report.model.accuracy == reference.accuracy)
        #expect(abs(report.model.meanReward - reference.meanReward) < 1e-12)
        #expect(report.model.completions.first == reference.samples.first?.completion)
    }

    @Test func aModelAgainstItselfShowsNoDifference() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try Self.tinyModel(seed: 4, in: directory.file("a"))
        var job = Self.job(a, a)
        job.limit = 3
        let comparison = try #require(try job.run(cache: directory.file("cache")).comparison)
        #expect(comparison.outcomes?.discordant == 0)
        #expect(comparison.outcomes?.mcnemarExactP == 1)
        #expect(comparison.accuracyDifference?.interval?.lower == 0 && comparison.accuracyDifference?.interval?.upper == 0)
    }

    /// `--model builtin` finds the warm start `rlrun` trains from: the same cache key.
    @Test func builtinMeansTheWarmStartOfTheDefaultRun() throws {
        let loader = PluginLoader()
        #expect(try DatasetChoice().open(loader: loader).cacheKey == RunBuilder.datasetKey(RunConfiguration(), loader))
    }

    @Test func dataFilesPickTheirPluginAndSplit() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let gsm8k = try directory.write("gsm.jsonl", #"{"question": "What is 2 + 3?", "answer": "2 + 3 = 5\n#### 5"}"# + "\n")
        let opened = try DatasetChoice(data: gsm8k.path).open(loader: PluginLoader())
        #expect(opened.plugin == "gsm8k")
        #expect(try opened.split(nil, preferring: "test") == "train", "a single file is the only split")
        #expect(try opened.dataset.item(split: "train", index: 0).reference == "5")

        let generic = try directory.write("qa.jsonl", #"{"prompt": "2 + 3?", "reference": 5, "solution": "2 + 3 = 5 #### 5"}"# + "\n")
        let jsonl = try DatasetChoice(data: generic.path).open(loader: PluginLoader())
        #expect(jsonl.plugin == "jsonl")
        #expect(jsonl.options["metadata_fields"] == .array(["solution"]), "sft learns the solution, so it is carried")
        #expect(SupervisedTrainer.target(for: try jsonl.dataset.item(split: "train", index: 0)) == "2 + 3 = 5 #### 5")

        #expect(throws: (any Error).self) { try opened.split("validation", preferring: "test") }
        #expect { try DatasetChoice(data: directory.file("missing.jsonl").path).open(loader: PluginLoader()) } throws: { error in
            "\(error)".contains("--data") && "\(error)".contains("missing.jsonl")
        }
    }

    /// gsm8k is a dataset and a reward: `--option gsm8k.KEY` reaches whichever declares KEY.
    @Test func optionsOfASharedIDGoToThePluginThatHasThem() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try Self.tinyModel(seed: 6, in: directory.file("a"))
        let data = try directory.write("gsm.jsonl", #"{"question": "What is 2 + 3?", "answer": "2 + 3 = 5\n#### 5"}"# + "\n")
        var job = Self.job(a, nil)
        let options: [String: [String: JSONValue]] = ["gsm8k": ["mode": "strict", "format": "plain"]]
        job.data = DatasetChoice(data: data.path, options: options)
        job.rewardOptions = options
        #expect(try job.run(cache: directory.file("cache")).model.n == 1)

        job.rewardOptions = ["gsm8k": ["mood": "strict"]]
        job.data.options = job.rewardOptions
        #expect { try job.run(cache: directory.file("cache")) } throws: { "\($0)".contains("unknown option 'mood'") }

        job.rewardOptions = ["format": ["strict": true]]
        job.data.options = job.rewardOptions
        #expect { try job.run(cache: directory.file("cache")) } throws: { "\($0)".hasPrefix("--option: names plugin 'format'") }
    }

    @Test func aMissingModelFolderIsNamedWithTheOption() throws {
        let directory = try TemporaryDirectory("rlrun-eval")
        let a = try Self.tinyModel(seed: 5, in: directory.file("a"))
        var job = Self.job(a, directory.file("nowhere"))
        job.limit = 1
        #expect { try job.run(cache: directory.file("cache")) } throws: { error in
            "\(error)".hasPrefix("--baseline: no folder at ") && "\(error)".contains("nowhere")
        }
    }
}
