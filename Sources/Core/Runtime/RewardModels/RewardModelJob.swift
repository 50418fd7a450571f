import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// `rlrun reward-model train` as a library call: pairs from a JSONL file, a backbone (a model
/// folder, or rlrun's small built-in transformer over characters when none is given), the
/// Bradley–Terry trainer, and the trained model written to a folder the `reward-model` plugin
/// and LIMEN's `tension_model` load.
public struct RewardModelJob {
    public var data: String
    /// A Hugging Face folder (or a reward-model folder to continue training); nil = built-in.
    public var model: String?
    public var output: String
    public var settings = RewardModelTrainingSettings()
    public var heldOutFraction = 0.1
    public var marginField: String?
    public var maxLength: Int?
    public var device = Device.cpu
    /// The backbone made when no model is given: by default the built-in policy's shape, fresh.
    public var builtInConfiguration = BuiltInPolicy.configuration

    /// A fresh backbone learns from a higher rate than a pretrained one.
    public static let builtInLearningRate = 1e-3
    public static let pretrainedLearningRate = 1e-4

    public init(data: String, model: String? = nil, output: String) {
        self.data = data
        self.model = model
        self.output = output
    }

    public func run(loader: PluginLoader = PluginLoader(), log: @escaping (String) -> Void) throws -> (model: RewardModel, report: RewardModelReport) {
        guard heldOutFraction >= 0, heldOutFraction < 1 else {
            throw ConfigurationError(source: "--held-out-fraction", message: "must be in [0, 1), got \(heldOutFraction)")
        }
        try Engine.prepare(device)
        let contents = try PreferenceFile.load(data, marginField: marginField, loader: loader)
        if contents.ties > 0 { log("[RM] Left out \(contents.ties) tie\(contents.ties == 1 ? "" : "s") of \(data) (a tie prefers neither response)") }
        let (train, heldOut) = PreferencePair.split(contents.pairs, heldOutFraction: heldOutFraction, seed: settings.seed)
        guard !train.isEmpty else {
            throw ConfigurationError(source: data, message: "no pairs left to train on (\(contents.pairs.count) pairs, \(heldOut.count) held out)")
        }
        let rewardModel = try makeModel()
        log("[RM] Backbone \(model ?? "built-in (\(builtInConfiguration.layers) layers, \(builtInConfiguration.hiddenSize) wide, characters, fresh)") on \(device)")
        let trainer = try RewardModelTrainer(model: rewardModel, settings: settings)
        trainer.log = log
        let report = try trainer.train(train, heldOut: heldOut)
        var training = report.json
        training["data"] = data
        training["backbone"] = model ?? "built-in"
        training["learning_rate"] = settings.learningRate
        training["batch_size"] = settings.batchSize
        training["center_coefficient"] = settings.centerCoefficient
        training["seed"] = Int(settings.seed)
        if let marginField { training["margin_field"] = marginField }
        try rewardModel.save(to: URL(fileURLWithPath: output), training: training)
        return (rewardModel, report)
    }

    private func makeModel() throws -> RewardModel {
        if let model {
            return try RewardModel.starting(from: URL(fileURLWithPath: model), maxLength: maxLength, seed: settings.seed, device: device)
        }
        let tokenizer = BuiltInPolicy.tokenizer
        let backbone = try Transformer(configuration: builtInConfiguration, weights: .random(
            generator: Generator(seed: settings.seed), std: 0.02, dtype: .float32, device: device))
        return try RewardModel(backbone: backbone, tokenizer: tokenizer, tokenizerFiles: ["tokenizer.json": tokenizer.jsonData()],
                               template: BuiltInPolicy.template, maxLength: maxLength, seed: settings.seed &+ 1)
    }
}
