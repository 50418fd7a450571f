import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct SFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Supervised warm start: teach a model a dataset's worked solutions before RL.",
        discussion: """
        Cross-entropy on each item's worked solution (its metadata "solution", as the arithmetic \
        and gsm8k datasets give it, else its reference answer) after the prompt, with a cosine \
        schedule. The trained model is written to --out with its tokenizer, as a folder that \
        `rlrun eval --model` and `rlrun --model` load.

        --model builtin starts from a fresh, randomly initialised copy of rlrun's small built-in \
        policy; with the default settings (\(SupervisedJob.builtInDefaults.steps) steps of \(SupervisedJob.builtInDefaults.batchSize) at \
        \(SupervisedJob.builtInDefaults.learningRate), seed 0, the built-in arithmetic data) the result is the \
        warm start `rlrun` trains from. A model folder is fine-tuned as it is \
        (\(SupervisedJob.pretrainedDefaults.steps) steps of \(SupervisedJob.pretrainedDefaults.batchSize) at \(SupervisedJob.pretrainedDefaults.learningRate) by default). \
        Data as in `rlrun eval`: the built-in arithmetic problems by default, --data FILE for GSM8K \
        or JSONL (with a "solution" field, or a reference), --dataset NAME for another plugin; the \
        train split is used.

        Examples:
          rlrun sft --model builtin --out models/arith-sft --steps 600
          rlrun eval --model models/arith-sft --baseline builtin --limit 200
          rlrun --algorithm dapo --reward gsm8k --model models/arith-sft
          rlrun sft --model ./Qwen2.5-0.5B-Instruct --data gsm8k/train.jsonl --out models/qwen-sft --steps 100 --batch-size 4
        """
    )

    @Option(help: "The model to train: a model folder, or builtin (a fresh built-in policy).") var model: String
    @Option(help: "A data file or folder, given to the dataset plugin as its path option.") var data: String?
    @Option(help: "Dataset plugin (default: the built-in arithmetic problems; with --data: gsm8k or jsonl, by the file's fields).")
    var dataset: String?
    @Option(name: .customLong("option"), help: "A dataset plugin option, ID.KEY=VALUE (repeatable), e.g. arithmetic.difficulty=mixed.")
    var options: [String] = []
    @Option(help: "Folder to write the trained model to (new, empty, or an earlier sft output, which is replaced).") var out: String
    @Option(help: "Optimizer steps.") var steps: Int?
    @Option(help: "Peak learning rate.") var lr: Double?
    @Option(help: "Worked solutions per step.") var batchSize: Int?
    @Option(help: "Seed of the data order (and of the fresh built-in weights).") var seed: UInt64 = 0
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"

    func run() throws {
        var job = SupervisedJob(model: model, output: out)
        job.data = DatasetChoice(name: dataset, data: data, options: try PluginOptionArguments.parse(options))
        job.steps = steps
        job.learningRate = lr
        job.batchSize = batchSize
        job.seed = seed
        job.device = try Device(parsing: device)
        let log: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        let loader = PluginLoader(host: .forwarding(to: log))
        let report = try job.run(loader: loader, log: log)
        log(String(format: "[DONE] %d steps in %.1f s, loss %.3f → %.3f; model in %@", report.steps, report.seconds, report.firstLoss,
                   report.lastLoss, report.output.path))
        log("[DONE] Evaluate it: rlrun eval --model \(out) --limit 100")
    }
}
