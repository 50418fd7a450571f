import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// `rlrun sft` as a library call: supervised fine-tuning of a model folder (or of a fresh
/// built-in policy) on a dataset's worked solutions (an item's metadata "solution", else its
/// reference), through `SupervisedTrainer`; the result is a model folder that `rlrun eval
/// --model` and `rlrun --model` load.
public struct SupervisedJob {
    /// A model folder, or `builtin` for a fresh, randomly initialised built-in policy.
    public var model: String
    public var data = DatasetChoice()
    public var output: String
    public var steps: Int?
    public var learningRate: Double?
    public var batchSize: Int?
    public var seed: UInt64 = 0
    public var device = Device.cpu
    public var logEvery = 50

    /// A fresh model learns from a high rate over many steps; a pretrained one needs a gentle one.
    public static let builtInDefaults = (steps: BuiltInPolicy.WarmStart().steps, learningRate: BuiltInPolicy.WarmStart().learningRate,
                                         batchSize: BuiltInPolicy.WarmStart().batchSize)
    public static let pretrainedDefaults = (steps: 200, learningRate: 1e-5, batchSize: 8)

    public init(model: String, output: String) {
        self.model = model
        self.output = output
    }

    public struct Report: Sendable {
        public let steps: Int
        /// Mean loss of the first and of the last `logEvery` steps.
        public let firstLoss: Double
        public let lastLoss: Double
        public let seconds: Double
        public let output: URL
    }

    public func run(loader: PluginLoader = PluginLoader(), log: (String) -> Void = { _ in }) throws -> Report {
        let destination = URL(fileURLWithPath: output).standardizedFileURL
        try Self.checkWritable(destination)
        try Engine.prepare(device)
        let opened = try data.open(loader: loader, log: log)
        guard opened.dataset.splits.contains("train") else {
            throw ConfigurationError(source: "--data", message: "\(opened.label) has no train split to learn from (it has \(opened.dataset.splits.joined(separator: ", ")))")
        }
        let count = try opened.dataset.count(split: "train")
        guard count > 0 else { throw ConfigurationError(source: "--data", message: "the train split of \(opened.label) is empty") }

        let (policy, source, fresh) = try makePolicy()
        let defaults = fresh || policy.tokenizer is CharacterTokenizer ? Self.builtInDefaults : Self.pretrainedDefaults
        let steps = self.steps ?? defaults.steps, batchSize = self.batchSize ?? defaults.batchSize
        let learningRate = self.learningRate ?? defaults.learningRate
        guard steps > 0, batchSize > 0, learningRate > 0 else {
            throw ConfigurationError(source: "sft", message: "--steps, --batch-size and --lr must be positive (got \(steps), \(batchSize), \(learningRate))")
        }
        // A masked-diffusion model learns to fill the region it will decode: the trainer's length.
        let generationLength = try TrainingConfiguration().applying(
            BuiltInPolicy.trainerDefaults(for: policy.model.configuration.maskedDiffusion ? .maskedDiffusion : .causal),
            source: "built-in policy defaults").maxNewTokens
        let trainer = try SupervisedTrainer(policy: policy, learningRate: learningRate, steps: steps, batchSize: batchSize,
                                            warmupSteps: steps / 20, generationLength: generationLength, seed: seed &+ 3)
        log("[SFT] \(source) on \(opened.description), train split (\(count) items): \(steps) steps of \(batchSize), learning rate \(learningRate), on \(device)")

        // Every index drawn at once: the same order as a batch per step, with one shuffle of the
        // split (a million arithmetic items) instead of one per step.
        var cursor = DataCursor(count: count, seed: seed &+ 7)
        let order = cursor.next(steps * batchSize)
        let started = Date()
        var window: [Double] = [], firstLoss: Double?, lastLoss = Double.nan
        for step in 1...steps {
            let items = try order[(step - 1) * batchSize..<step * batchSize].map { try opened.dataset.item(split: "train", index: $0) }
            let loss: Double
            do { loss = try trainer.train(on: items) } catch let error as ConfigurationError {
                throw ConfigurationError(source: opened.label, message: "\(error) (sft learns an item's metadata \"solution\" or its reference)")
            }
            guard loss.isFinite else {
                throw ConfigurationError(source: "sft", message: "the loss became \(loss) at step \(step); try a lower --lr (now \(learningRate))")
            }
            window.append(loss)
            if step % logEvery == 0 || step == steps {
                lastLoss = window.reduce(0, +) / Double(window.count)
                if firstLoss == nil { firstLoss = lastLoss }
                window.removeAll()
                log(String(format: "[SFT] Step %d/%d: loss=%.3f (%.0f s)", step, steps, lastLoss, Date().timeIntervalSince(started)))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        try save(policy, from: fresh ? nil : URL(fileURLWithPath: model), to: destination, provenance: [
            "source_model": .string(fresh ? PolicyFolder.builtInName : model), "dataset": .string(opened.plugin),
            "dataset_options": .object(opened.options), "steps": .number(Double(steps)), "batch_size": .number(Double(batchSize)),
            "learning_rate": .number(learningRate), "seed": .number(Double(seed)), "final_loss": .number(lastLoss),
        ])
        log("[SFT] Saved \(destination.path)")
        return Report(steps: steps, firstLoss: firstLoss ?? lastLoss, lastLoss: lastLoss, seconds: seconds, output: destination)
    }

    /// The policy to train, how to name it, and whether it is a fresh built-in model.
    func makePolicy() throws -> (Policy, String, Bool) {
        guard model == PolicyFolder.builtInName else {
            let loaded = try PolicyFolder.load(URL(fileURLWithPath: model), device: device)
            return (loaded.policy, model, false)
        }
        let weights = try Transformer(configuration: BuiltInPolicy.configuration, weights: .random(
            generator: Generator(seed: seed), std: 0.02, dtype: .float32, device: device))
        let policy = try Policy(model: weights, tokenizer: BuiltInPolicy.tokenizer, formatPrompt: BuiltInPolicy.formatPrompt)
        return (policy, BuiltInPolicy.summary(for: .causal) + ", fresh", true)
    }

    /// What sft.json marks: a folder this command wrote, which it may replace.
    static let provenanceFile = "sft.json"

    /// `--out` must be new, empty, or an earlier `rlrun sft` output: anything else might be
    /// someone's files, and the folder is replaced as a whole.
    static func checkWritable(_ destination: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw ConfigurationError(source: "--out", message: "\(destination.path) is a file; give a folder") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        guard contents.isEmpty || contents.contains(provenanceFile) else {
            throw ConfigurationError(source: "--out", message: "\(destination.path) holds files not written by rlrun sft; choose a new folder")
        }
    }

    /// Weights, tokenizer and sft.json into a staging folder beside `destination`, then renamed
    /// into place, so the folder is the old model or the new one, never half of each.
    func save(_ policy: Policy, from source: URL?, to destination: URL, provenance: [String: JSONValue]) throws {
        let parent = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try? FileManager.default.removeItem(at: staging)
        try policy.model.save(to: staging)
        if let character = policy.tokenizer as? CharacterTokenizer {
            try AtomicFile.write(character.jsonData(), to: staging.appendingPathComponent("tokenizer.json"))
        } else if let source {
            for name in PolicyFolder.tokenizerFiles where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: staging.appendingPathComponent(name))
            }
        }
        try AtomicFile.write(Data(JSONValue.object(provenance).jsonText.utf8), to: staging.appendingPathComponent(Self.provenanceFile))
        try Self.checkWritable(destination)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: staging, to: destination)
    }
}
