import Engine
import Foundation
import RLRunSDK
import Training

/// LIMEN's model-based tension: a reward model trained on preferences (`rlrun reward-model
/// train`) judges each intention as a whole. A low score means high tension: σ(−score), the
/// score centred on the mean of the model's training responses (Bradley–Terry fixes scores only
/// up to a shift), so an average response sits at 0.5. It enters the weighted mean of the
/// failed checks as one more check with weight `weight` that always has something to judge.
struct LearnedTension {
    let model: RewardModel
    let weight: Double

    init(path: String, weight: Double) throws {
        guard weight >= 0, weight.isFinite else {
            throw PluginError(.config, "tension_model_weight must be a number >= 0, got \(weight)")
        }
        do {
            model = try RewardModel(folder: URL(fileURLWithPath: path))
        } catch {
            throw PluginError(.config, "tension_model: cannot load the reward model \(path): \(error)")
        }
        self.weight = weight
    }

    /// The raw score and the learned tension of every completion of the batch.
    func judge(_ batch: RewardBatch) throws -> (scores: [Double], tensions: [Double]) {
        let scores = try model.score(prompts: batch.prompts, responses: batch.completions)
        return (scores, scores.map { 1 - ScoreNormalization.sigmoid.apply($0, statistics: model.statistics) })
    }
}
