import Foundation
@testable import Core
import RLRunSDK

// What the reward-model tests share: a synthetic preference set, a tiny backbone, and one
// reward model trained on it once per process (several suites read it).

/// A synthetic preference set with a learnable property: for "What is a + b?", the chosen
/// response states the sum plainly, the rejected one gives the same sum wrapped in hedging.
enum SyntheticPreferences {
    static let hedges = [
        "Well, I think that maybe the answer is %d.",
        "Hmm, it could perhaps be %d, I am not sure.",
        "I guess the answer is probably %d.",
        "Maybe %d? It is hard to say.",
    ]

    static func pairs() -> [PreferencePair] {
        var pairs: [PreferencePair] = []
        for a in 1...9 {
            for b in 1...9 {
                let hedge = hedges[(a * 7 + b * 3) % hedges.count]
                pairs.append(PreferencePair(prompt: "What is \(a) + \(b)?", chosen: "The answer is \(a + b).",
                                            rejected: String(format: hedge, a + b)))
            }
        }
        return pairs
    }

    /// The pairs as the JSONL file `rlrun reward-model train --data` reads.
    static func jsonl(_ pairs: [PreferencePair]) -> String {
        pairs.map {
            JSONValue.object(["prompt": .string($0.prompt), "chosen": .string($0.chosen), "rejected": .string($0.rejected)]).jsonText
        }.joined(separator: "\n") + "\n"
    }
}

/// A backbone small enough to train in seconds on two cores: 2 layers, 32 wide, characters.
let tinyBackbone = ModelConfiguration(
    modelType: "llama", hiddenSize: 32, layers: 2, attentionHeads: 2, keyValueHeads: 1, intermediateSize: 64,
    rmsNormEps: 1e-5, maxPositions: 256, vocabularySize: CharacterTokenizer.standard.vocabularySize, tieWordEmbeddings: true,
    eosTokenIDs: Array(CharacterTokenizer.standard.eosTokenIDs))

/// A fresh folder under the system's temporary folder, removed when the value goes away.
final class ScratchFolder: @unchecked Sendable {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        try Data(text.utf8).write(to: file(name))
        return file(name)
    }
}

/// The reward model trained once on the synthetic set through `RewardModelJob` (the code of
/// `rlrun reward-model train`), saved in a folder that lives as long as the test process.
final class TrainedRewardModel: @unchecked Sendable {
    let folder: ScratchFolder
    let modelFolder: URL
    let report: RewardModelReport
    let model: RewardModel
    let seconds: Double

    static let shared: Result<TrainedRewardModel, any Error> = Result { try TrainedRewardModel() }

    static func get() throws -> TrainedRewardModel { try shared.get() }

    private init() throws {
        folder = try ScratchFolder("reward-model")
        let data = try folder.write("prefs.jsonl", SyntheticPreferences.jsonl(SyntheticPreferences.pairs()))
        modelFolder = folder.file("model")
        var job = RewardModelJob(data: data.path, output: modelFolder.path)
        job.builtInConfiguration = tinyBackbone
        job.heldOutFraction = 0.2
        job.settings.steps = 60
        job.settings.batchSize = 8
        job.settings.learningRate = 3e-3
        job.settings.seed = 3
        let started = Date()
        (model, report) = try job.run(log: { _ in })
        seconds = Date().timeIntervalSince(started)
    }
}
