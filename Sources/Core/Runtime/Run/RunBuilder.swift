import Engine
import Foundation
import Models
import RLRunSDK
import Tokenizers
import Training

/// A run ready to go: plugins loaded and configured, the policy (and reference) built, the
/// trainer and evaluator made, the run directory created with the resolved configuration.
public struct PreparedRun {
    public let trainer: Trainer
    public let evaluator: Evaluator
    public let configuration: TrainingConfiguration
    public let runDirectory: URL
    public let summary: [String]
    /// The masking plugin of a masked-diffusion run (its state goes into checkpoints).
    public var masking: HostedMasking? = nil
}

public enum RunBuilder {
    /// Builds everything `configuration` describes. `log` receives progress lines. With a
    /// `group`, this process is one rank of a data-parallel run: rank 0 builds (and caches)
    /// the policy first, and alone writes into the run directory.
    public static func prepare(_ run: RunConfiguration, cache: URL, log: @escaping @Sendable (String) -> Void,
                               group: ProcessGroup? = nil) throws -> PreparedRun {
        let device = try Device(parsing: run.device)
        try Engine.prepare(device)
        let leader = (group?.rank ?? 0) == 0
        var directory = run.runDirectory ?? defaultRunDirectory(run)
        if let group, run.runDirectory == nil {
            // The default name holds the start time, which the ranks need not share to the second.
            directory = String(decoding: try group.allGather(leader ? Array(directory.utf8) : [])[0], as: UTF8.self)
        }
        let runDirectory = URL(fileURLWithPath: directory)
        let loader = PluginLoader(host: .forwarding(to: log, runDirectory: runDirectory.path, group: group), pins: run.pins)
        func options(_ name: String) -> [String: JSONValue] { run.pluginOptions[PluginLoader.baseName(name)] ?? [:] }
        /// The options of `name` as a `kind` plugin, leaving out those only its namesake of
        /// another kind declares (gsm8k is a dataset with a path and a reward with modes).
        func options(_ name: String, as kind: PluginKind) throws -> [String: JSONValue] {
            let descriptor = try loader.descriptor(named: name, kind: kind)
            let others = PluginKind.allCases.filter { $0 != kind }.compactMap { try? loader.descriptor(named: name, kind: $0) }
            return SharedPluginOptions.options(options(name), for: descriptor, siblings: others)
        }

        let algorithm = try loader.algorithm(run.algorithm, options: options(run.algorithm))
        let dataset = try loader.dataset(run.dataset, options: options(run.dataset, as: .dataset))
        var terms: [RewardComposer.Term] = []
        for reward in run.rewards {
            let hosted = try loader.reward(reward.name, options: options(reward.name, as: .reward))
            terms.append(.init(name: hosted.instance.descriptor.id, weight: reward.weight, reward: hosted))
        }
        guard !terms.isEmpty else { throw ConfigurationError(source: "rewards", message: "give at least one --reward") }
        let rewards = RewardComposer(terms)

        // Layers of trainer settings: defaults, the algorithm's suggestions (known keys only),
        // the built-in model's, then the user's (strict).
        var settings = TrainingConfiguration()
        let kind = algorithm.requirements.policy
        let suggested = algorithm.requirements.trainerDefaults.filter { TrainingConfiguration.knownKeys.contains($0.key) }
        settings = try settings.applying(suggested, source: "algorithm '\(algorithm.instance.descriptor.id)' defaults")
        let folder = run.model.map { URL(fileURLWithPath: $0) }
        if folder.map(PolicyFolder.isBuiltIn) ?? true {
            settings = try settings.applying(BuiltInPolicy.trainerDefaults(for: kind, critic: algorithm.requirements.needsCritic),
                                             source: "built-in policy defaults")
        }
        settings = try settings.applying(run.trainer, source: run.sources.last ?? "settings")
        let masker = kind == .maskedDiffusion ? try promptMasker(run, loader: loader, settings: settings) : nil
        // Created only once the settings are known to be valid, so a typo leaves nothing behind.
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)

        // A warm start is computed once, by rank 0, and read from the cache by the others.
        if let group, !leader { try group.wait(for: "policy-ready", timeout: 6 * 3600) }
        let (policy, reference, criticBackbone) = try makePolicy(
            run, kind: kind, settings: settings, dataset: dataset, datasetKey: datasetKey(run, loader),
            needsReference: algorithm.requirements.needsReference, cache: cache, device: device, log: log)
        if let group, leader { try group.signal("policy-ready") }
        let trainer = try Trainer(policy: policy, algorithm: algorithm, rewards: rewards, dataset: dataset,
                                  configuration: settings, reference: reference, criticBackbone: criticBackbone,
                                  masker: masker?.masker, group: group)
        trainer.log = log
        var evaluator = Evaluator(policy: policy, rewards: rewards, dataset: dataset, split: settings.evalSplit,
                                  prompts: settings.evalPrompts, sampling: settings.sampling(for: policy))
        evaluator.group = group
        let resolved = run.resolvedJSON(trainer: settings)
        if leader { try AtomicFile.write(Data(resolved.jsonText.utf8), to: runDirectory.appendingPathComponent("config.json")) }
        let summary = [
            "algorithm \(algorithm.instance.descriptor.label); rewards \(terms.map { "\($0.name)×\($0.weight)" }.joined(separator: ", ")); dataset \(dataset.instance.descriptor.label)",
            "model \(run.model ?? BuiltInPolicy.summary(for: kind)) on \(device)\(settings.useLoRA ? " with LoRA r=\(settings.lora.rank)" : "")"
                + (masker.map { "; prompt masking \($0.label)" } ?? ""),
            (group.map { "\($0.worldSize) processes (c10d, gloo); each takes its share of the groups; " } ?? "")
                + "per step: \(settings.promptsPerStep) prompts × \(trainer.groupSize) completions = \(settings.promptsPerStep * trainer.groupSize) completions, \(trainer.mu) update(s) of micro-batches of \(settings.microBatchSize); \(settings.steps) steps",
            "run directory \(runDirectory.path)",
        ]
        return PreparedRun(trainer: trainer, evaluator: evaluator, configuration: settings, runDirectory: runDirectory, summary: summary,
                           masking: masker?.hosted)
    }

    static func defaultRunDirectory(_ run: RunConfiguration) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "runs/\(formatter.string(from: Date()))-\(PluginLoader.baseName(run.algorithm))"
    }

    /// What identifies the dataset for the warm-start cache: its file, version and options.
    static func datasetKey(_ run: RunConfiguration, _ loader: PluginLoader) throws -> String {
        let descriptor = try loader.descriptor(named: run.dataset, kind: .dataset)
        let options = JSONValue.object(run.pluginOptions[descriptor.id] ?? [:]).jsonText
        return "\(descriptor.id)@\(descriptor.version)|\(options)"
    }

    /// The masking plugin of a masked-diffusion run: the one named, else `random` at `p_mask`.
    static func promptMasker(_ run: RunConfiguration, loader: PluginLoader, settings: TrainingConfiguration) throws
        -> (masker: PromptMasker, label: String, hosted: HostedMasking) {
        let name = run.masking ?? "random"
        var options = run.pluginOptions[PluginLoader.baseName(name)] ?? [:]
        if run.masking == nil, options["rate"] == nil { options["rate"] = .number(settings.diffusion.promptMaskRate) }
        let hosted = try loader.masking(name, options: options)
        let masker = PromptMasker(needsConfidence: hosted.needsConfidence, needsAttention: hosted.needsAttention, choose: hosted.choose)
        return (masker, hosted.instance.descriptor.label, hosted)
    }

    static func makePolicy(_ run: RunConfiguration, kind: PolicyKind, settings: TrainingConfiguration, dataset: any Dataset, datasetKey: String,
                           needsReference: Bool, cache: URL, device: Device, log: (String) -> Void) throws
        -> (policy: Policy, reference: Transformer?, criticBackbone: Transformer?) {
        let policy: Policy
        let reloadReference: () throws -> Transformer
        if let folder = run.model.map({ URL(fileURLWithPath: $0) }) {
            policy = try PolicyFolder.load(folder, device: device, weightDType: settings.bf16Base ? .bfloat16 : nil).policy
            reloadReference = { try Transformer(folder: folder, device: device) }
        } else {
            var warmStart = BuiltInPolicy.WarmStart.defaults(for: kind)
            if let steps = run.warmStartSteps { warmStart.steps = steps }
            if kind == .maskedDiffusion { warmStart.generationLength = settings.maxNewTokens }
            let (builtIn, folder) = try BuiltInPolicy.load(kind: kind, dataset: dataset, datasetKey: datasetKey, warmStart: warmStart,
                                                           cache: cache, device: device,
                                                           weightDType: settings.bf16Base ? .bfloat16 : nil, log: log)
            policy = builtIn
            reloadReference = { try Transformer(folder: folder, device: device) }
        }
        // A separate critic starts from the policy's own starting weights, in float32 (the
        // Trainer refuses it for an algorithm without a critic).
        let criticBackbone = settings.separateCritic ? try reloadReference() : nil
        if settings.use4Bit {
            // Quantized before the adapters are added, so they train on top of the 4-bit base.
            log("[RUN] 4-bit base: \(try policy.model.quantizeBase(blockSize: 64))")
        }
        if settings.useLoRA {
            var lora = LoRAConfiguration(rank: settings.lora.rank, alpha: settings.lora.alpha, dropout: settings.lora.dropout)
            lora.targetModules = settings.lora.targets
            try policy.model.addLoRA(lora, generator: Generator(seed: settings.seed &+ 11))
            return (policy, nil, criticBackbone)
        }
        return (policy, needsReference ? try reloadReference() : nil, criticBackbone)
    }
}
