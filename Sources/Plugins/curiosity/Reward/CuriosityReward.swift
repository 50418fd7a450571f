import RLRunSDK

/// A novelty bonus by random network distillation on completion features (ALGORITHMS §8,
/// the proposed text version): hashed character n-grams, whitened with running statistics;
/// novelty = ‖P(ê) − T(ê)‖² / k computed before the predictor learns the batch; the bonus is
/// the novelty over its running standard deviation, clipped to [0, clip], times a weight that
/// can decay to 0. Completions like those seen before earn less and less.
public final class CuriosityReward: PluginDefinition, RewardFunction, StatefulPlugin {
    public static let info = PluginInfo(
        id: "curiosity", version: "1.0.0",
        summary: "random network distillation novelty bonus on hashed character n-grams; learns as it scores (checkpointed)",
        options: [
            .integer("features", default: 256, help: "size of the hashed character n-gram vector"),
            .integer("ngram", default: 3, help: "characters per n-gram"),
            .integer("hidden", default: 128, help: "hidden units of the target and predictor networks"),
            .integer("outputs", default: 64, help: "output size k of the target and predictor networks"),
            .number("learning_rate", default: 1e-4, help: "Adam learning rate of the predictor (one step per scored batch)"),
            .number("clip", default: 5, help: "the normalised bonus is clipped to [0, clip]"),
            .number("weight", default: 1, help: "the reward is weight × bonus"),
            .integer("decay_batches", default: 0, help: "the weight falls linearly to 0 over this many scored batches; 0 = constant"),
            .integer("seed", default: 0, help: "seed of the random networks"),
        ])

    private let features: CharacterNgramFeatures
    private let fingerprint: [UInt64]
    private let clip: Double
    private let weight: Double
    private let decayBatches: Int
    private var model: NoveltyModel
    private var noveltyMoments = RunningMoments(dimensions: 1)
    private var batchesScored = 0

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        let sizes = try ["features", "ngram", "hidden", "outputs"].map { try configuration.int($0) }
        guard sizes.allSatisfy({ $0 >= 1 }) else { throw PluginError(.config, "features, ngram, hidden and outputs must be at least 1; got \(sizes)") }
        let learningRate = try configuration.double("learning_rate")
        clip = try configuration.double("clip")
        weight = try configuration.double("weight")
        decayBatches = try configuration.int("decay_batches")
        guard learningRate > 0, clip > 0, decayBatches >= 0 else {
            throw PluginError(.config, "need learning_rate > 0, clip > 0 and decay_batches >= 0")
        }
        let seed = UInt64(bitPattern: Int64(try configuration.int("seed")))
        features = CharacterNgramFeatures(dimensions: sizes[0], n: sizes[1])
        model = NoveltyModel(inputs: sizes[0], hidden: sizes[2], outputs: sizes[3], learningRate: learningRate, seed: seed)
        fingerprint = sizes.map { UInt64($0) } + [seed]
    }

    public func score(_ batch: RewardBatch) throws -> RewardScores {
        let inputs = model.whiten(batch.completions.map(features.vector))
        let novelty = inputs.map(model.novelty)
        novelty.forEach { noveltyMoments.add([$0]) }
        let spread = noveltyMoments.standardDeviation[0]
        let bonus = novelty.map { min(clip, $0 / (spread + 1e-8)) }
        let currentWeight = decayBatches > 0 ? weight * max(0, 1 - Double(batchesScored) / Double(decayBatches)) : weight
        model.train(inputs)
        batchesScored += 1
        return RewardScores(rewards: bonus.map { currentWeight * $0 },
                            components: ["novelty": .numbers(novelty), "bonus": .numbers(bonus)])
    }

    /// "RNDSTAT1" in ASCII, so that bytes of another plugin are refused.
    private static let magic: UInt64 = 0x524E_4453_5441_5431

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter()
        writer.write(Self.magic)
        fingerprint.forEach { writer.write($0) }
        writer.write(UInt64(batchesScored))
        for moments in [model.inputMoments, noveltyMoments] {
            writer.write(moments.count)
            writer.write(moments.mean)
            writer.write(moments.squaredDeviations)
        }
        writer.write(model.predictor.parameters)
        writer.write(model.optimizer.step)
        writer.write(model.optimizer.firstMoment)
        writer.write(model.optimizer.secondMoment)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        guard try reader.uint64() == Self.magic else { throw PluginError(.input, "these bytes are not a curiosity state") }
        let saved = try fingerprint.map { _ in try reader.uint64() }
        guard saved == fingerprint else {
            throw PluginError(.input, "curiosity state was saved with features, ngram, hidden, outputs, seed = \(saved), these options give \(fingerprint): load it with the options it was saved with")
        }
        var restored = model
        let scored = try reader.uint64()
        let dimensions = features.dimensions
        restored.inputMoments = RunningMoments(count: try reader.double(), mean: try reader.doubles(count: dimensions),
                                               squaredDeviations: try reader.doubles(count: dimensions))
        let novelty = RunningMoments(count: try reader.double(), mean: try reader.doubles(count: 1),
                                     squaredDeviations: try reader.doubles(count: 1))
        let parameterCount = model.predictor.parameters.count
        restored.predictor.parameters = try reader.doubles(count: parameterCount)
        restored.optimizer.step = try reader.double()
        restored.optimizer.firstMoment = try reader.doubles(count: parameterCount)
        restored.optimizer.secondMoment = try reader.doubles(count: parameterCount)
        guard reader.atEnd else { throw PluginError(.input, "curiosity state has bytes after its end: was it saved by this version?") }
        model = restored
        noveltyMoments = novelty
        batchesScored = Int(scored)
    }
}
