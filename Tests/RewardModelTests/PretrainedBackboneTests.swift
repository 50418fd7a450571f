import Foundation
import Testing
@testable import Core
import RLRunSDK

/// `shared/parity/tiny-qwen2` next to the package root: a real Hugging Face folder with a
/// byte-level BPE tokenizer and ChatML tokens.
private let tinyQwen: URL? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("../shared/parity/tiny-qwen2").standardizedFileURL
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) { return candidate }
        directory.deleteLastPathComponent()
    }
    return nil
}()

@Suite(.enabled(if: tinyQwen != nil, "needs ../shared/parity/tiny-qwen2"))
struct PretrainedBackboneTests {
    @Test func huggingFaceBackboneTrainsSavesAndReloads() throws {
        let backbone = try #require(tinyQwen)
        let folder = try ScratchFolder("rm-qwen")
        let data = try folder.write("prefs.jsonl", SyntheticPreferences.jsonl(Array(SyntheticPreferences.pairs().prefix(12))))
        var job = RewardModelJob(data: data.path, model: backbone.path, output: folder.file("model").path)
        job.heldOutFraction = 0.25
        job.settings.steps = 3
        job.settings.batchSize = 4
        let (model, report) = try job.run(log: { _ in })
        #expect(report.trainPairs == 9 && report.heldOutPairs == 3 && report.steps == 3)
        #expect(model.template.format == .chatML, "the prompt is laid out in the backbone's chat format")
        #expect(model.text(prompt: "Hi?", response: "Hello.") == "<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\nHello.")

        let saved = folder.file("model")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: saved.path))
        #expect(files.isSuperset(of: ["config.json", "model.safetensors", "score.safetensors", "reward_model.json",
                                      "tokenizer.json", "tokenizer_config.json", "generation_config.json"]))
        let reloaded = try RewardModel(folder: saved)
        let prompts = ["What is 1 + 2?", "What is 1 + 2?"], responses = ["The answer is 3.", "Maybe 3? It is hard to say."]
        #expect(try reloaded.score(prompts: prompts, responses: responses) == model.score(prompts: prompts, responses: responses))

        // Training continues from a reward-model folder: its head is kept, not drawn again.
        let again = try RewardModel.starting(from: saved, seed: 99)
        #expect(try again.head.weight.toArray(Float.self) == reloaded.head.weight.toArray(Float.self))
    }
}
