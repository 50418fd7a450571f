import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct RewardModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward-model",
        abstract: "Train a reward model on preference pairs.",
        subcommands: [RewardModelTrainCommand.self]
    )
}

struct RewardModelTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Bradley–Terry training of a backbone + scalar head on {prompt, chosen, rejected} pairs.",
        discussion: """
        The reward is the head's output at the last token of prompt + response; the loss is \
        −mean log σ(r_chosen − r_rejected − margin) (+ c·mean((r_chosen + r_rejected)²) with \
        --center-coefficient). Held-out pair accuracy (the share of pairs scored the right way \
        round) is reported after every epoch. Lines with "tie": true are left out.

        With no --model, the backbone is a fresh copy of rlrun's small built-in transformer over \
        characters (no download). The folder written to --out loads as the reward-model plugin \
        and as LIMEN's tension model:
          rlrun score --reward reward-model --option reward-model.model=DIR --input F.jsonl
          rlrun score --reward limen --option limen.tension_model=DIR --input F.jsonl
        """
    )

    @Option(help: "Preference pairs, JSONL with prompt, chosen and rejected.") var data: String
    @Option(help: "Backbone: a Hugging Face folder, or a reward-model folder to train further (default: the built-in transformer).")
    var model: String?
    @Option(help: "Folder to write the trained reward model to.") var out: String
    @Option(help: "Optimizer steps (default: --epochs passes over the training pairs).") var steps: Int?
    @Option(help: "Passes over the training pairs when --steps is not given.") var epochs = 1
    @Option(help: "Learning rate (default: \(RewardModelJob.pretrainedLearningRate) with --model, \(RewardModelJob.builtInLearningRate) for the fresh built-in backbone).")
    var lr: Double?
    @Option(help: "Pairs per step.") var batchSize = 8
    @Option(help: "Fraction of the pairs held out to measure pair accuracy.") var heldOutFraction = 0.1
    @Option(help: "Seed of the held-out split, the order and the head's initialisation.") var seed: UInt64 = 0
    @Option(help: "A numeric field of each line giving the pair's margin m.") var marginField: String?
    @Option(help: "Coefficient c of the centring term (TRL suggests 0.01).") var centerCoefficient = 0.0
    @Option(help: "Longest input in tokens; longer ones keep their end (default: min(1024, the backbone's positions)).")
    var maxLength: Int?
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"

    func run() throws {
        var job = RewardModelJob(data: data, model: model, output: out)
        job.settings.steps = steps
        job.settings.epochs = epochs
        job.settings.learningRate = lr ?? (model == nil ? RewardModelJob.builtInLearningRate : RewardModelJob.pretrainedLearningRate)
        job.settings.batchSize = batchSize
        job.settings.seed = seed
        job.settings.centerCoefficient = centerCoefficient
        job.heldOutFraction = heldOutFraction
        job.marginField = marginField
        job.maxLength = maxLength
        job.device = try Device(parsing: device)
        let log: (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        let (_, report) = try job.run(log: log)
        let accuracy = report.heldOutAccuracy.map { String(format: "held-out pair accuracy %.3f (%d pairs)", $0, report.heldOutPairs) }
            ?? "no held-out pairs"
        log(String(format: "[DONE] %@; train pair accuracy %.3f; %d steps in %.1f s; saved %@", accuracy, report.trainAccuracy,
                   report.steps, report.seconds, out))
        log("[DONE] Score with it: rlrun score --reward reward-model --option reward-model.model=\(out) --input F.jsonl")
    }
}
