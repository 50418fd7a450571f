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
    @Option(help: "A Hugging Face model folder (default: the built-in policy).") var model: String?
    @Option(help: "A YAML file of settings.") var config: String?
    @Option(help: "A named preset: \(Presets.names.joined(separator: ", ")).") var preset: String?
    @Option(help: "cpu, cuda or cuda:N.") var device: String?
    @Option(help: "Where to write the run (default: runs/<time>-<algorithm>).") var runDir: String?
    @Option(help: "Random seed.") var seed: Int?
    @Option(help: "RL steps.") var steps: Int?
    @Flag(help: "Continue the run in --run-dir from its newest complete checkpoint (same settings).") var resume = false
    @Option(help: "Checkpoints to keep.") var keepLast = 3
    @Option(name: .customLong("set"), help: "Any setting, KEY=VALUE (e.g. learning_rate=1e-5; repeatable).") var settings: [String] = []
    @Option(name: .customLong("option"), help: "A plugin option, ID.KEY=VALUE (repeatable).") var options: [String] = []

    func run() throws {
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
        if let model { flags["model"] = .string(model) }
        if let device { flags["device"] = .string(device) }
        if let runDir { flags["run_dir"] = .string(runDir) }
        if let seed { flags["seed"] = .number(Double(seed)) }
        if let steps { flags["steps"] = .number(Double(steps)) }
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

        // Written straight to the file descriptor (no buffering), so progress shows up as it happens.
        let log: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        let prepared = try RunBuilder.prepare(run, cache: Cache.directory, log: log)
        prepared.summary.forEach { log("[RUN] \($0)") }
        if resume && runDir == nil { throw ValidationError("--resume needs the --run-dir of the run to continue") }
        var loop = RunLoop(run: prepared, log: log)
        loop.resume = resume
        loop.keepLast = keepLast
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
