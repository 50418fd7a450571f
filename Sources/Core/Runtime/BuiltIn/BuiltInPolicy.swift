import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// The policy rlrun trains when no model is given: a small Llama-style transformer over
/// characters, warm-started by supervised training on the dataset's worked solutions so that
/// RL starts from a model that already answers in the right shape. The warm start is cached
/// per machine (keyed by everything that shapes it), so only the first run pays for it.
public enum BuiltInPolicy {
    public static let tokenizer = CharacterTokenizer.standard
    public static let template = ChatTemplate.plain()

    public static let configuration = ModelConfiguration(
        modelType: "llama", hiddenSize: 128, layers: 3, attentionHeads: 4, keyValueHeads: 2, intermediateSize: 384,
        rmsNormEps: 1e-5, ropeTheta: 10_000, maxPositions: 512, vocabularySize: CharacterTokenizer.standard.vocabularySize,
        tieWordEmbeddings: true, eosTokenIDs: Array(CharacterTokenizer.standard.eosTokenIDs))

    /// The masked-diffusion twin for diffu-GRPO: the causal policy's shape made bidirectional,
    /// with one extra id, the mask token, after the characters, and Dream's shift (the output at
    /// i predicts the token at i + 1), so that it is adapted from the causal warm start.
    public static let diffusionConfiguration = ModelConfiguration.dream(adapting: configuration)

    /// How the run summary names the built-in model.
    public static func summary(for kind: PolicyKind) -> String {
        let shape = configuration(for: kind)
        return "built-in \(kind == .maskedDiffusion ? "masked-diffusion " : "")(\(shape.layers) layers, \(shape.hiddenSize) wide, characters)"
    }

    public static func configuration(for kind: PolicyKind) -> ModelConfiguration {
        kind == .maskedDiffusion ? diffusionConfiguration : configuration
    }

    public struct WarmStart: Sendable, Equatable {
        public var steps = 1200
        public var batchSize = 16
        public var learningRate = 3e-3
        public var seed: UInt64 = 0
        /// Masked-diffusion models: the decoded region the targets are padded to.
        public var generationLength = 80
        public init() {}

        /// The defaults for `kind`: the masked-diffusion twin continues from trained weights,
        /// so it adapts at a third of the rate that trains the causal policy from scratch.
        public static func defaults(for kind: PolicyKind) -> WarmStart {
            var settings = WarmStart()
            if kind == .maskedDiffusion { settings.learningRate = 1e-3 }
            return settings
        }
    }

    /// Trainer settings that suit this small model, applied before presets, files and flags.
    /// Evaluation answers the whole test split (500 questions, ~9 s): on 128 the standard error
    /// of the accuracy is 4 points, as large as what a short run gains.
    public static let trainerDefaults: [String: JSONValue] = [
        "learning_rate": 1e-4, "max_new_tokens": 96, "prompts_per_step": 16, "group_size": 8, "micro_batch_size": 64,
        "temperature": 1.0, "eval_every": 10, "eval_prompts": 500, "steps": 40, "gradient_clip": 1.0, "weight_decay": 0.0,
        "beta2": 0.99, "checkpoint_every": 20,
    ]

    /// The same for the masked-diffusion twin: d1's group of 6 and several updates per
    /// generation (each under its own prompt mask), a region of 80 characters decoded in five
    /// blocks of 16 at two characters per step.
    public static let diffusionTrainerDefaults: [String: JSONValue] = [
        "learning_rate": 1e-4, "max_new_tokens": 80, "block_length": 16, "diffusion_steps": 40, "prompts_per_step": 16,
        "group_size": 6, "mu": 4, "micro_batch_size": 48, "temperature": 0.9, "eval_every": 10, "eval_prompts": 128, "steps": 40,
        "gradient_clip": 1.0, "weight_decay": 0.0, "beta2": 0.99, "checkpoint_every": 20, "use_lora": false,
    ]

    /// - critic: whether the algorithm trains a critic. Its rate then follows `learning_rate`
    ///   (null here): an algorithm's own suggestion, e.g. PPO's 9e-6 beside an actor's 1e-6,
    ///   would leave it far below the 1e-4 set here for the actor.
    public static func trainerDefaults(for kind: PolicyKind, critic: Bool = false) -> [String: JSONValue] {
        let defaults = kind == .maskedDiffusion ? diffusionTrainerDefaults : trainerDefaults
        return critic ? defaults.merging(["critic_learning_rate": .null]) { $1 } : defaults
    }

    static func formatPrompt(_ item: DatasetItem) -> String { template.render(question: item.prompt, system: item.system) }

    /// The cached warm-started policy for `datasetKey`, training and caching it first if needed.
    public static func load(kind: PolicyKind = .causal, dataset: any Dataset, datasetKey: String, warmStart: WarmStart = WarmStart(),
                            cache: URL, device: Device, weightDType: DType? = nil,
                            log: (String) -> Void) throws -> (policy: Policy, folder: URL) {
        let shape = configuration(for: kind)
        let key = SHA256.hex(Data("v1|\(shape)|\(warmStart)|\(datasetKey)".utf8)).prefix(16)
        let folder = cache.appendingPathComponent("builtin-\(key)")
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) {
            log("[SFT] Using the cached warm start in \(folder.path)")
            return (try policy(folder: folder, device: device, weightDType: weightDType), folder)
        }
        let model: Transformer
        if kind == .maskedDiffusion {
            // Dream's recipe: start from the causal warm start (cached on its own) and adapt it.
            log("[SFT] The masked-diffusion twin starts from the causal warm start")
            let causal = try load(kind: .causal, dataset: dataset, datasetKey: datasetKey, cache: cache, device: device, log: log)
            model = try adaptedTwin(of: causal.policy.model, shape: shape)
        } else {
            model = try Transformer(configuration: shape, weights: .random(
                generator: Generator(seed: warmStart.seed), std: 0.02, dtype: .float32, device: device))
        }
        let policy = try Policy(model: model, tokenizer: tokenizer, formatPrompt: formatPrompt)
        try warmUp(policy, dataset: dataset, settings: warmStart, log: log)
        // Written to a temporary folder and renamed, so a cache entry is complete or absent.
        let staging = cache.appendingPathComponent(".builtin-\(key)-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: staging)
        try model.save(to: staging)
        try AtomicFile.write(tokenizer.jsonData(), to: staging.appendingPathComponent("tokenizer.json"))
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.moveItem(at: staging, to: folder)
        return (try Self.policy(folder: folder, device: device, weightDType: weightDType), folder)
    }

    /// A model of `shape` (the twin of `causal`'s) holding `causal`'s weights; the mask token's
    /// embedding, which `causal` lacks, starts as the mean of the others.
    static func adaptedTwin(of causal: Transformer, shape: ModelConfiguration) throws -> Transformer {
        let twin = try Transformer(configuration: shape, weights: .random(generator: Generator(seed: 0), std: 0.02, dtype: .float32,
                                                                           device: causal.device))
        let weights = Dictionary(uniqueKeysWithValues: causal.parameters())
        try withNoGrad {
            for (name, tensor) in twin.parameters() {
                guard let source = weights[name] else { throw ModelError("the causal warm start has no weight \(name)") }
                if source.shape == tensor.shape {
                    try tensor.copyInPlace(from: source)
                } else if name == "model.embed_tokens.weight", tensor.shape == [source.size(0) + 1, source.size(1)] {
                    try tensor.slice(dim: 0, start: 0, end: source.size(0)).copyInPlace(from: source)
                    try tensor.slice(dim: 0, start: source.size(0)).copyInPlace(from: source.mean(dim: 0, keepDim: true))
                } else {
                    throw ModelError("weight \(name) is \(tensor.shape) in the twin but \(source.shape) in the causal warm start")
                }
            }
        }
        return twin
    }

    /// The policy saved in `folder` (a fresh copy of the weights each call).
    public static func policy(folder: URL, device: Device, weightDType: DType? = nil) throws -> Policy {
        let model = try Transformer(folder: folder, weightDType: weightDType, device: device)
        let saved = try CharacterTokenizer(jsonData: Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))
        return try Policy(model: model, tokenizer: saved, formatPrompt: formatPrompt)
    }

    static func warmUp(_ policy: Policy, dataset: any Dataset, settings: WarmStart, log: (String) -> Void) throws {
        let trainer = try SupervisedTrainer(policy: policy, learningRate: settings.learningRate, steps: settings.steps,
                                            batchSize: settings.batchSize, warmupSteps: settings.steps / 20,
                                            generationLength: settings.generationLength, seed: settings.seed &+ 3)
        var cursor = DataCursor(count: try dataset.count(split: "train"), seed: settings.seed &+ 7)
        let started = Date()
        var recent: [Double] = []
        let kind = policy.model.configuration.maskedDiffusion ? "masked-diffusion " : ""
        log("[SFT] Warm start of the built-in \(kind)policy: \(settings.steps) steps of \(settings.batchSize) worked solutions (cached afterwards)")
        for step in 1...settings.steps {
            let items = try cursor.next(settings.batchSize).map { try dataset.item(split: "train", index: $0) }
            recent.append(try trainer.train(on: items))
            if step % 50 == 0 || step == settings.steps {
                let loss = recent.reduce(0, +) / Double(recent.count)
                recent.removeAll()
                log(String(format: "[SFT] Step %d/%d: loss=%.3f (%.0f s)", step, settings.steps, loss, Date().timeIntervalSince(started)))
            }
        }
    }
}
