import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a policy with RL (the default command).",
        discussion: """
        With no --model, rlrun trains its built-in character-level policy on the built-in arithmetic \
        word problems, after a short supervised warm start that is cached for later runs.

        Settings are layered, later winning: defaults, the algorithm's suggestions, --preset, --config \
        (YAML, keys as in grpo_config.yaml), then flags (--set KEY=VALUE for any setting).

        Examples:
          rlrun --algorithm dapo --reward gsm8k
          rlrun --algorithm grpo --reward gsm8k --reward format:0.5 --dataset gsm8k --option gsm8k.path=data/gsm8k \\
                --model ./Qwen2.5-0.5B-Instruct --set use_lora=true --steps 200
        """
    )

    @Option(help: "Algorithm plugin: grpo, drgrpo, dapo, ppo, diffu-grpo, or a path.") var algorithm: String?
    @Option(name: .customLong("reward"), help: "Reward plugin, NAME or NAME:WEIGHT (repeatable).") var rewards: [String] = []
    @Option(help: "Dataset plugin (default: the built-in arithmetic problems).") var dataset: String?
    @Option(help: "Masking plugin of a masked-diffusion policy: random, progressive, dynamic, informed (default: random at p_mask).")
    var masking: String?
    @Option(help: "A Hugging Face model folder (default: the built-in policy).") var model: String?
    @Option(help: "A YAML file of settings.") var config: String?
    @Option(help: "A named preset: \(Presets.names.joined(separator: ", ")).") var preset: String?
    @Option(help: "cpu, cuda or cuda:N.") var device: String?
    @Option(help: "Where to write the run (default: runs/<time>-<algorithm>).") var runDir: String?
    @Option(help: "Random seed.") var seed: Int?
    @Option(help: "RL steps.") var steps: Int?
    @Flag(help: "Print only evaluations, alerts, warnings and the summary.") var quiet = false
    @Flag(help: "Also print the resolved settings at the start.") var verbose = false
    @Option(help: "text, or json (one object per line: time, tag, message).") var logFormat: LogFormat = .text
    @Option(help: "Steps between records of sample completions in samples.jsonl.") var sampleEvery = 5
    @OptionGroup(title: "Common settings (each is also a --set KEY)") var common: CommonSettings
    @Flag(help: "Continue the run in --run-dir from its newest complete checkpoint (same settings).") var resume = false
    @Option(help: "Checkpoints to keep.") var keepLast = 3
    @Option(name: .customLong("set"), help: "Any setting, KEY=VALUE (e.g. learning_rate=1e-5; repeatable).") var settings: [String] = []
    @Option(name: .customLong("option"), help: "A plugin option, ID.KEY=VALUE (repeatable).") var options: [String] = []
    @Option(help: "Data-parallel processes on this machine (c10d with gloo); across machines, start rlrun with torchrun's variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) instead.")
    var nproc: Int?
    @Option(help: "Seconds a process waits for the others (to connect, or in a collective) before stopping with an error.")
    var distTimeout: Double = 1800
    @Option(help: "Collectives over CUDA tensors: nccl (the default on a CUDA device; needs scripts/bootstrap-nccl.sh) or gloo (through host memory). CPU tensors always use gloo.")
    var distBackend: String?

    func validate() throws {
        if let nproc, nproc < 1 { throw ValidationError("--nproc must be at least 1") }
        // Before any worker starts: each would refuse it after launch.
        do { try RankPlacement.check(backend: distBackend) } catch { throw ValidationError("\(error)") }
        if distTimeout <= 0 { throw ValidationError("--dist-timeout must be positive") }
    }

    func run() throws {
        let world = try WorldEnvironment.from(ProcessInfo.processInfo.environment)
        if let nproc, nproc > 1 {
            if let world { throw ValidationError("--nproc \(nproc) inside a worker of a launched run (RANK=\(world.rank)): give one or the other") }
            let launcher = WorkerLauncher(processes: nproc, arguments: WorkerLauncher.workerArguments(Array(CommandLine.arguments.dropFirst())),
                                          log: RunLogSink(format: logFormat, quiet: quiet, bar: nil).line)
            let status = try launcher.run()
            if status != 0 { throw ExitCode(status) }
            return
        }
        var run = RunConfiguration()
        if let preset {
            guard let values = Presets.all[preset] else {
                throw ValidationError("unknown preset '\(preset)'; presets: \(Presets.names.joined(separator: ", "))")
            }
            try run.apply(values, source: "preset \(preset)")
        }
        if let config { try run.apply(try RunConfiguration.values(fromYAML: URL(fileURLWithPath: config)), source: config) }
        var flags: [String: JSONValue] = [:]
        if let algorithm { flags["algorithm"] = .string(algorithm) }
        if let dataset { flags["dataset"] = .string(dataset) }
        if let masking { flags["masking"] = .string(masking) }
        if let model { flags["model"] = .string(model) }
        if let device { flags["device"] = .string(device) }
        if let runDir { flags["run_dir"] = .string(runDir) }
        if let seed { flags["seed"] = .number(Double(seed)) }
        if let steps { flags["steps"] = .number(Double(steps)) }
        flags.merge(common.values) { $1 }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else { throw ValidationError("--set '\(setting)' must look like KEY=VALUE") }
            let text = String(setting[setting.index(after: equals)...])
            flags[String(setting[..<equals])] = (try? JSONValue(parsing: text)) ?? .string(text)
        }
        if !rewards.isEmpty {
            let specs = try rewards.map(RewardSpec.init(parsing:))
            flags["rewards"] = .object(Dictionary(specs.map { ($0.name, JSONValue.number($0.weight)) }, uniquingKeysWith: { $1 }))
        }
        let pluginOptions = try PluginOptionArguments.parse(options)
        if !pluginOptions.isEmpty { flags["options"] = .object(pluginOptions.mapValues { .object($0) }) }
        try run.apply(flags, source: "command line")

        let follower = world.map(\.rank).flatMap { $0 == 0 ? nil : $0 }
        let bar = ProgressBar.standardOutputIsTerminal && !quiet && follower == nil && logFormat == .text ? ProgressBar() : nil
        var sink = RunLogSink(format: logFormat, quiet: quiet, bar: bar)
        sink.followerRank = follower
        let log = sink.line
        var group: ProcessGroup?
        if let world {
            let placement = try RankPlacement.resolve(device: run.device, localRank: world.localRank, backend: distBackend)
            run.device = placement.device
            group = try world.join(backend: placement.backend, cudaDevice: placement.cudaDevice, timeout: distTimeout)
        }
        let prepared = try RunBuilder.prepare(run, cache: Cache.directory, log: log, group: group)
        prepared.summary.forEach { log("[RUN] \($0)") }
        if verbose { log("[RUN] settings \(prepared.configuration.jsonValue.jsonText)") }
        if resume && runDir == nil { throw ValidationError("--resume needs the --run-dir of the run to continue") }
        var loop = RunLoop(run: prepared, log: log)
        loop.resume = resume
        loop.keepLast = keepLast
        loop.progress = bar
        let interruption = Interruption()
        interruption.install(log: log)
        loop.interruption = interruption
        loop.sampleEvery = sampleEvery
        try loop.execute()
    }
}

enum Cache {
    /// $RLRUN_CACHE, else $XDG_CACHE_HOME/rlrun, else ~/.cache/rlrun.
    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["RLRUN_CACHE"] { return URL(fileURLWithPath: explicit) }
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("rlrun")
    }
}

/// The settings people change most, as flags; every other one is `--set KEY=VALUE`.
struct CommonSettings: ParsableArguments {
    @Option(help: "learning_rate") var learningRate: Double?
    @Option(help: "group_size: completions per prompt") var groupSize: Int?
    @Option(help: "prompts_per_step") var promptsPerStep: Int?
    @Option(help: "mu: policy updates per generated batch") var mu: Int?
    @Option(help: "micro_batch_size (sequences per forward pass)") var microBatchSize: Int?
    @Option(help: "max_new_tokens") var maxNewTokens: Int?
    @Option(help: "temperature of sampling") var temperature: Double?
    @Option(help: "kl_weight (algorithm option; 0 = no reference model)") var klWeight: Double?
    @Option(help: "eval_every steps (0 = only before and after)") var evalEvery: Int?
    @Option(help: "checkpoint_every steps (0 = never)") var checkpointEvery: Int?
    @Flag(help: "use_lora: train LoRA adapters instead of every weight") var lora = false
    @Option(help: "lora_r") var loraRank: Int?
    @Flag(name: .customLong("4bit"), help: "use_4bit: a frozen 4-bit NF4 base under the adapters (QLoRA; needs --lora)") var fourBit = false
    @Flag(name: .customLong("bf16-base"), help: "bf16_base: the frozen base's weights kept in bf16 under float32 compute (needs --lora)")
    var bf16Base = false

    var values: [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        let numbers: [(String, Double?)] = [
            ("learning_rate", learningRate), ("group_size", groupSize.map(Double.init)), ("prompts_per_step", promptsPerStep.map(Double.init)),
            ("mu", mu.map(Double.init)), ("micro_batch_size", microBatchSize.map(Double.init)),
            ("max_new_tokens", maxNewTokens.map(Double.init)), ("temperature", temperature), ("kl_weight", klWeight),
            ("eval_every", evalEvery.map(Double.init)), ("checkpoint_every", checkpointEvery.map(Double.init)),
            ("lora_r", loraRank.map(Double.init)),
        ]
        for (key, value) in numbers { if let value { values[key] = .number(value) } }
        if lora { values["use_lora"] = .bool(true) }
        if fourBit { values["use_4bit"] = .bool(true) }
        if bf16Base { values["bf16_base"] = .bool(true) }
        return values
    }
}

extension LogFormat: ExpressibleByArgument {}
