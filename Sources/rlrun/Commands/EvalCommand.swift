import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Held-out accuracy of a model, and of a baseline on the same items, with confidence intervals and a paired test.",
        discussion: """
        Each model answers the first --limit items of the split greedily; the reward plugins score \
        the answers, and a reward's "accuracy" component (gsm8k's) says which are right. For each \
        model: accuracy with a 95% Wilson interval, mean reward and n. With --baseline (B), for the \
        model (A): the accuracy difference A − B with a 95% interval from the per-item differences, \
        the win rate (of the items exactly one model gets right, the share that A gets right) with \
        the counts, and McNemar's exact p-value, the chance of a split of those items at least this \
        uneven if both models were equally accurate. With --samples N, each model also samples N \
        completions per item as training does and reports pass@k, the share of items that at least \
        one of k samples gets right (unbiased estimate): what RL that sharpens the policy can reach.

        A model is a Hugging Face folder, a folder written by `rlrun sft` (or a built-in cache \
        folder in ~/.cache/rlrun), or `builtin`: the warm-started built-in policy that `rlrun` \
        trains from for this dataset (trained and cached first if it is not yet).

        Data: by default the built-in arithmetic problems, held-out split, as `rlrun` evaluates \
        them. --data FILE_OR_FOLDER reads a GSM8K file (lines with question and answer: the gsm8k \
        plugin) or any JSONL (the jsonl plugin: --option jsonl.prompt_field=..., \
        jsonl.reference_field=...); --dataset names the plugin instead. A single file is one split, \
        which is then the one evaluated.

        Examples:
          rlrun eval --model builtin --limit 100
          rlrun eval --model builtin --samples 8
          rlrun eval --model runs/sft-arith --baseline builtin --limit 200
          rlrun eval --model ./Qwen2.5-0.5B-Instruct --data gsm8k/test.jsonl --reward gsm8k --max-new-tokens 256 --limit 50
          rlrun eval --model A --baseline B --json > comparison.json
        """
    )

    @Option(help: "The model (A): a model folder, or builtin.") var model: String
    @Option(help: "A baseline model (B) answering the same items.") var baseline: String?
    @Option(help: "Dataset plugin (default: the built-in arithmetic problems; with --data: gsm8k or jsonl, by the file's fields).")
    var dataset: String?
    @Option(help: "A data file or folder, given to the dataset plugin as its path option.") var data: String?
    @Option(name: .customLong("reward"), help: "Reward plugin, NAME or NAME:WEIGHT (repeatable; default: gsm8k).")
    var rewards: [String] = []
    @Option(name: .customLong("option"), help: "A plugin option, ID.KEY=VALUE (repeatable), e.g. gsm8k.mode=strict.")
    var options: [String] = []
    @Option(help: "Split to evaluate (default: test, or the only split of a single file).") var split: String?
    @Option(help: "Evaluate the first N items (default: the whole split).") var limit: Int?
    @Option(help: "Longest completion in tokens (default: 96 for the built-in policy, 64 otherwise).") var maxNewTokens: Int?
    @Option(help: "cpu, cuda or cuda:N.") var device = "cpu"
    @Option(help: "Also sample N completions per item at the training temperature and report pass@k (k = 1, 2, 4, ..., N).")
    var samples = 0
    @Option(help: "Also print the first N items with each model's answer.") var show = 0
    @Flag(help: "Print one JSON object with every number instead of text.") var json = false

    func run() throws {
        let pluginOptions = try PluginOptionArguments.parse(options)
        var job = EvaluationJob(model: model, baseline: baseline)
        job.data = DatasetChoice(name: dataset, data: data, options: pluginOptions)
        job.rewards = try rewards.map(RewardSpec.init(parsing:))
        job.rewardOptions = pluginOptions
        job.split = split
        job.limit = limit
        job.maxNewTokens = maxNewTokens
        job.samples = samples
        job.device = try Device(parsing: device)
        // Progress goes to standard error, so that --json output stays one clean object.
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let loader = PluginLoader(host: .forwarding(to: log))
        let report = try job.run(loader: loader, cache: Cache.directory, log: log)
        if json {
            print(report.json.jsonText)
        } else {
            (report.sampleLines(show) + report.lines).forEach { print($0) }
        }
    }
}
