import Engine
import Foundation
import Models
import SeededRandom

/// How a reward model is trained. The defaults follow TRL's RewardTrainer (AdamW, lr 1e-4,
/// 8 pairs a step, one epoch, no weight decay) with a short warm-up for the fresh head.
public struct RewardModelTrainingSettings: Sendable, Equatable {
    /// Optimizer steps; nil = `epochs` passes over the training pairs.
    public var steps: Int?
    public var epochs = 1
    public var learningRate = 1e-4
    /// Pairs per step (each step scores 2 × this many sequences in one forward pass).
    public var batchSize = 8
    /// c of the centring term c · mean((r_c + r_r)²); TRL suggests 0.01, 0 leaves it out.
    public var centerCoefficient = 0.0
    public var weightDecay = 0.0
    public var warmupFraction = 0.05
    public var gradientClip: Double? = 1.0
    public var seed: UInt64 = 0

    public init() {}
}

/// The figures of one pass over the training pairs (or of the steps there were).
public struct RewardModelEpoch: Sendable, Equatable {
    public var epoch: Int
    public var step: Int
    /// Mean loss and pair accuracy of the epoch's training batches, as they were scored.
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var heldOutLoss: Double?
    public var heldOutAccuracy: Double?
    public var seconds: Double
}

/// What training gave: per-epoch figures and the final ones.
public struct RewardModelReport: Sendable, Equatable {
    public var trainPairs: Int
    public var heldOutPairs: Int
    public var steps: Int
    public var epochs: [RewardModelEpoch]
    /// Of the trained model over every training pair.
    public var trainAccuracy: Double
    public var heldOutAccuracy: Double?
    public var heldOutLoss: Double?
    public var statistics: ScoreStatistics
    public var seconds: Double

    /// The report as reward_model.json keeps it.
    public var json: [String: Any] {
        var object: [String: Any] = ["train_pairs": trainPairs, "held_out_pairs": heldOutPairs, "steps": steps,
                                     "train_accuracy": trainAccuracy, "seconds": seconds]
        if let heldOutAccuracy { object["held_out_accuracy"] = heldOutAccuracy }
        if let heldOutLoss { object["held_out_loss"] = heldOutLoss }
        object["epochs"] = epochs.map { epoch -> [String: Any] in
            var entry: [String: Any] = ["epoch": epoch.epoch, "step": epoch.step, "train_loss": epoch.trainLoss,
                                        "train_accuracy": epoch.trainAccuracy]
            if let loss = epoch.heldOutLoss { entry["held_out_loss"] = loss }
            if let accuracy = epoch.heldOutAccuracy { entry["held_out_accuracy"] = accuracy }
            return entry
        }
        return object
    }
}

/// Trains a reward model on preference pairs with the Bradley–Terry loss: chosen and rejected
/// responses of a batch go through one forward pass (2B rows), AdamW steps on backbone and head.
public final class RewardModelTrainer {
    public let model: RewardModel
    public let settings: RewardModelTrainingSettings
    public var log: (String) -> Void = { _ in }

    public init(model: RewardModel, settings: RewardModelTrainingSettings) throws {
        guard settings.batchSize >= 1 else { throw ModelError("the batch size must be at least 1 pair, got \(settings.batchSize)") }
        guard settings.epochs >= 1 else { throw ModelError("epochs must be at least 1, got \(settings.epochs)") }
        if let steps = settings.steps, steps < 1 { throw ModelError("steps must be at least 1, got \(steps)") }
        guard settings.learningRate > 0, settings.learningRate.isFinite else {
            throw ModelError("the learning rate must be a positive number, got \(settings.learningRate)")
        }
        self.model = model
        self.settings = settings
    }

    public func train(_ pairs: [PreferencePair], heldOut: [PreferencePair] = []) throws -> RewardModelReport {
        guard !pairs.isEmpty else { throw ModelError("no preference pairs to train on") }
        let started = Date()
        let chosenRows = try pairs.map { try model.tokens(prompt: $0.prompt, response: $0.chosen) }
        let rejectedRows = try pairs.map { try model.tokens(prompt: $0.prompt, response: $0.rejected) }
        let batch = min(settings.batchSize, pairs.count)
        let stepsPerEpoch = (pairs.count + batch - 1) / batch
        let total = settings.steps ?? settings.epochs * stepsPerEpoch
        let parameters = model.parameters
        for parameter in parameters { try parameter.requiringGrad() }
        let optimizer = try AdamW(parameters: parameters, options: .init(weightDecay: settings.weightDecay))
        let schedule = LearningRateSchedule(kind: .linear, baseRate: settings.learningRate,
                                            warmupSteps: Int(Double(total) * settings.warmupFraction), totalSteps: total)
        let epochCount = (total + stepsPerEpoch - 1) / stepsPerEpoch
        log("[RM] \(pairs.count) training pairs, \(heldOut.count) held out; \(total) steps of \(batch) pairs (\(epochCount) epoch\(epochCount == 1 ? "" : "s"))")

        var generator = SplitMix64(seed: settings.seed, 0x524D)
        var order: [Int] = []
        var position = 0
        var epochs: [RewardModelEpoch] = []
        var losses: [Double] = [], correct = 0, seen = 0
        for step in 0..<total {
            if position >= order.count {
                order = Array(pairs.indices)
                generator.shuffle(&order)
                position = 0
            }
            let indices = Array(order[position..<min(order.count, position + batch)])
            position += indices.count
            let scores = try model.scores(indices.map { chosenRows[$0] } + indices.map { rejectedRows[$0] })
            let chosen = try scores.slice(dim: 0, start: 0, end: indices.count)
            let rejected = try scores.slice(dim: 0, start: indices.count)
            let margins = indices.map { pairs[$0].margin }
            let loss = try BradleyTerry.loss(
                chosen: chosen, rejected: rejected,
                margins: margins.allSatisfy { $0 == 0 } ? nil : Tensor(margins.map(Float.init), device: model.backbone.device),
                centerCoefficient: settings.centerCoefficient)
            try loss.backward()
            _ = try clipGradientNorm(parameters, maxNorm: settings.gradientClip)
            try optimizer.step(lr: schedule.rate(atStep: step))
            try optimizer.zeroGrad()

            let value = try loss.item()
            guard value.isFinite else {
                throw ModelError("the reward-model loss became \(value) at step \(step + 1); lower the learning rate (--lr)")
            }
            losses.append(value)
            let values = try scores.detached().to(.float32).toArray(Float.self)
            correct += (0..<indices.count).filter { values[$0] > values[indices.count + $0] }.count
            seen += indices.count
            if position >= order.count || step == total - 1 {
                let evaluation = try heldOut.isEmpty ? nil : evaluate(heldOut)
                let epoch = RewardModelEpoch(
                    epoch: epochs.count + 1, step: step + 1, trainLoss: losses.reduce(0, +) / Double(losses.count),
                    trainAccuracy: Double(correct) / Double(seen), heldOutLoss: evaluation?.loss,
                    heldOutAccuracy: evaluation?.accuracy, seconds: Date().timeIntervalSince(started))
                epochs.append(epoch)
                log(Self.line(epoch, of: epochCount, steps: total))
                losses.removeAll()
                (correct, seen) = (0, 0)
            }
        }

        // A last pass over the training pairs: the final train accuracy, and the score statistics
        // that centre the model's rewards.
        let trainScores = try model.score(rows: chosenRows + rejectedRows, batchSize: 2 * batch)
        let trainChosen = Array(trainScores[..<pairs.count]), trainRejected = Array(trainScores[pairs.count...])
        model.statistics = ScoreStatistics(of: trainScores)
        let last = epochs.last!
        return RewardModelReport(
            trainPairs: pairs.count, heldOutPairs: heldOut.count, steps: total, epochs: epochs,
            trainAccuracy: BradleyTerry.accuracy(chosen: trainChosen, rejected: trainRejected),
            heldOutAccuracy: last.heldOutAccuracy, heldOutLoss: last.heldOutLoss, statistics: model.statistics!,
            seconds: Date().timeIntervalSince(started))
    }

    /// Loss and pair accuracy of `pairs` under the current model (no gradient).
    public func evaluate(_ pairs: [PreferencePair]) throws -> (loss: Double, accuracy: Double) {
        let rows = try pairs.map { try model.tokens(prompt: $0.prompt, response: $0.chosen) }
            + pairs.map { try model.tokens(prompt: $0.prompt, response: $0.rejected) }
        let scores = try model.score(rows: rows, batchSize: 2 * settings.batchSize)
        let chosen = Array(scores[..<pairs.count]), rejected = Array(scores[pairs.count...])
        return (BradleyTerry.loss(chosen: chosen, rejected: rejected, margins: pairs.map(\.margin)),
                BradleyTerry.accuracy(chosen: chosen, rejected: rejected))
    }

    static func line(_ epoch: RewardModelEpoch, of epochs: Int, steps: Int) -> String {
        var text = String(format: "[RM] Epoch %d/%d (step %d/%d): loss=%.4f train_accuracy=%.3f",
                          epoch.epoch, epochs, epoch.step, steps, epoch.trainLoss, epoch.trainAccuracy)
        if let loss = epoch.heldOutLoss, let accuracy = epoch.heldOutAccuracy {
            text += String(format: " held_out_loss=%.4f held_out_accuracy=%.3f", loss, accuracy)
        }
        return text + String(format: " (%.1f s)", epoch.seconds)
    }
}
