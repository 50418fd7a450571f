import Engine
import Foundation
import RLRunSDK
import Training

/// A trained reward model as a reward: each prompt + completion goes through the backbone and
/// its scalar head (the folder `rlrun reward-model train` writes). The plugin computes with the
/// host's tensor engine, handed over when the instance is created, so it does not link libtorch.
public final class RewardModelReward: PluginDefinition, RewardFunction {
    public static let info = PluginInfo(
        id: "reward-model", version: "1.0.0",
        summary: "a trained Bradley–Terry reward model (backbone + scalar head) scoring prompt + completion",
        options: [
            .string("model", default: nil, help: "the folder written by `rlrun reward-model train` (required)"),
            .choice("normalize", ScoreNormalization.allCases.map(\.rawValue), default: ScoreNormalization.center.rawValue,
                    help: "none: the raw score; center: minus the mean score of the training responses; standardize: centred "
                        + "and divided by their std; sigmoid: σ(centred score) in (0, 1)"),
            .number("scale", default: 1, help: "the reward is scale × the normalised score"),
            .integer("batch_size", default: 16, help: "sequences per forward pass"),
            .string("device", default: "cpu", help: "where the model runs: cpu, cuda or cuda:N"),
        ])

    public let model: RewardModel
    private let normalization: ScoreNormalization
    private let scale: Double
    private let batchSize: Int

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        guard let path = try configuration.string("model") else {
            throw PluginError(.config, "reward-model needs a trained model: pass --option reward-model.model=DIR (a folder written by `rlrun reward-model train`)")
        }
        normalization = ScoreNormalization(rawValue: try configuration.string("normalize") ?? "")!
        scale = try configuration.double("scale")
        batchSize = try configuration.int("batch_size")
        guard batchSize >= 1 else { throw PluginError(.config, "batch_size must be at least 1, got \(batchSize)") }
        let device: Device
        do { device = try Device(parsing: try configuration.string("device") ?? "cpu") } catch {
            throw PluginError(.config, "device: \(error)")
        }
        model = try Self.open(path, device: device)
        if normalization != .none, model.statistics == nil {
            host.log(.warning, "reward-model: \(path) has no score statistics, so normalize=\(normalization.rawValue) centres on 0")
        }
    }

    /// The model at `path`, or a configuration error naming the folder and what is wrong.
    public static func open(_ path: String, device: Device = .cpu) throws -> RewardModel {
        do {
            try Engine.prepare(device)
            return try RewardModel(folder: URL(fileURLWithPath: path), device: device)
        } catch {
            throw PluginError(.config, "cannot load the reward model \(path): \(error)")
        }
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        let raw = try model.score(prompts: batch.prompts, responses: batch.completions, batchSize: batchSize)
        let rewards = raw.map { scale * normalization.apply($0, statistics: model.statistics) }
        return RewardScores(rewards: rewards, components: ["score": .numbers(raw)])
    }
}
