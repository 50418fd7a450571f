import Foundation
import Testing
@testable import Core
import RLRunSDK

/// `rlrun sft` through SupervisedJob: a fresh built-in policy for a few steps on the shipped
/// arithmetic data, saved as a folder that the policy loader and `rlrun eval` open.
@Suite struct SupervisedJobTests {
    @Test func aFreshBuiltInModelTrainsAndSavesALoadableFolder() throws {
        let directory = try TemporaryDirectory("rlrun-sft")
        var job = SupervisedJob(model: PolicyFolder.builtInName, output: directory.file("out").path)
        job.steps = 3
        job.batchSize = 2
        job.logEvery = 1
        var lines: [String] = []
        let report = try job.run(log: { lines.append($0) })

        #expect(report.steps == 3)
        #expect(report.lastLoss.isFinite && report.lastLoss > 0)
        #expect(lines.filter { $0.hasPrefix("[SFT] Step ") }.count == 3)
        for name in ["config.json", "model.safetensors", "tokenizer.json", "sft.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.file("out/\(name)").path), "\(name)")
        }
        let provenance = try JSONValue(parsing: String(contentsOf: directory.file("out/sft.json"), encoding: .utf8))
        #expect(provenance["source_model"]?.stringValue == "builtin")
        #expect(provenance["steps"]?.intValue == 3)

        let loaded = try PolicyFolder.load(directory.file("out"), device: .cpu)
        #expect(loaded.isBuiltIn)
        #expect(loaded.policy.model.configuration.hiddenSize == BuiltInPolicy.configuration.hiddenSize)
        var eval = EvaluationJob(model: directory.file("out").path)
        eval.limit = 2
        eval.maxNewTokens = 4
        #expect(try eval.run(cache: directory.file("cache")).model.n == 2)

        // Training it again replaces the folder it wrote.
        job.model = directory.file("out").path
        job.steps = 1
        #expect(try job.run().steps == 1)
        let again = try JSONValue(parsing: String(contentsOf: directory.file("out/sft.json"), encoding: .utf8))
        #expect(again["source_model"]?.stringValue == directory.file("out").path)
    }

    /// With the same settings, `rlrun sft --model builtin` gives the warm start `rlrun` caches
    /// (same initial weights, data order and trainer), to the byte.
    @Test func theBuiltInStartIsTheWarmStartOfTheDefaultRun() throws {
        let directory = try TemporaryDirectory("rlrun-sft")
        var job = SupervisedJob(model: PolicyFolder.builtInName, output: directory.file("sft").path)
        job.steps = 2
        job.batchSize = 2
        _ = try job.run()

        var warmStart = BuiltInPolicy.WarmStart()
        warmStart.steps = 2
        warmStart.batchSize = 2
        let dataset = try DatasetChoice().open(loader: PluginLoader())
        let (_, cached) = try BuiltInPolicy.load(dataset: dataset.dataset, datasetKey: dataset.cacheKey, warmStart: warmStart,
                                                 cache: directory.file("cache"), device: .cpu, log: { _ in })
        let ours = try Data(contentsOf: directory.file("sft/model.safetensors"))
        #expect(ours == (try Data(contentsOf: cached.appendingPathComponent("model.safetensors"))))
        #expect(try Data(contentsOf: directory.file("sft/tokenizer.json")) == (try Data(contentsOf: cached.appendingPathComponent("tokenizer.json"))))
    }

    @Test func aFolderOfOtherFilesIsNotOverwritten() throws {
        let directory = try TemporaryDirectory("rlrun-sft")
        try FileManager.default.createDirectory(at: directory.file("mine"), withIntermediateDirectories: true)
        try directory.write("mine/notes.txt", "keep me")
        var job = SupervisedJob(model: PolicyFolder.builtInName, output: directory.file("mine").path)
        job.steps = 1
        #expect { try job.run() } throws: { error in
            "\(error)".hasPrefix("--out: ") && "\(error)".contains("not written by rlrun sft")
        }
        #expect(FileManager.default.fileExists(atPath: directory.file("mine/notes.txt").path))
    }
}
