import Engine
import Foundation
import Models
import RLRunSDK
import Training

/// `rlrun eval` as a library call (the seeds' phase 3): greedy completions of a model, and
/// optionally of a baseline, on the same items, scored by reward plugins loaded through the
/// plugin loader; each model's accuracy and reward, and the paired comparison.
public struct EvaluationJob {
    /// A model folder or `builtin` (the cached warm start `rlrun` trains from for this dataset).
    public var model: String
    public var baseline: String?
    public var data = DatasetChoice()
    /// Reward plugins with weights (default: what `rlrun` trains against, gsm8k).
    public var rewards: [RewardSpec] = []
    /// Reward plugin options by plugin id.
    public var rewardOptions: [String: [String: JSONValue]] = [:]
    /// Default: test, or the only split of a single file.
    public var split: String?
    /// The first N items of the split (default: all).
    public var limit: Int?
    /// Default: the trainer's for the model (96 for the built-in policy, 64 otherwise).
    public var maxNewTokens: Int?
    public var device = Device.cpu
    public var batchSize = 32
    /// Also sample this many completions per item at the training temperature, for pass@k (0: greedy only).
    public var samples = 0

    public init(model: String, baseline: String? = nil) {
        self.model = model
        self.baseline = baseline
    }

    public func run(loader: PluginLoader = PluginLoader(), cache: URL, log: (String) -> Void = { _ in }) throws -> EvaluationReport {
        if let limit, limit < 1 { throw ConfigurationError(source: "--limit", message: "must be at least 1, got \(limit)") }
        if samples < 0 { throw ConfigurationError(source: "--samples", message: "must be 0 (greedy only) or more, got \(samples)") }
        if let maxNewTokens, maxNewTokens < 1 {
            throw ConfigurationError(source: "--max-new-tokens", message: "must be at least 1, got \(maxNewTokens)")
        }
        try Engine.prepare(device)
        let rewardPlugins = try rewardSpecs.map { try loader.descriptor(named: $0.name, kind: .reward) }
        let opened = try data.open(loader: loader, siblings: rewardPlugins, log: log)
        let split = try opened.split(split, preferring: "test")
        let available = try opened.dataset.count(split: split)
        guard available > 0 else { throw ConfigurationError(source: "--split", message: "split '\(split)' of \(opened.label) is empty") }
        let items = try (0..<min(limit ?? available, available)).map { try opened.dataset.item(split: split, index: $0) }
        let (composer, rewardLabels) = try makeRewards(loader, siblings: [opened.dataset.instance.descriptor])
        let used = Set([opened.dataset.instance.descriptor.id] + rewardPlugins.map(\.id))
        for id in Set(rewardOptions.keys).union(data.options.keys).sorted() where !used.contains(id) {
            throw ConfigurationError(source: "--option", message: "names plugin '\(id)', but this evaluation uses \(used.sorted().joined(separator: ", "))")
        }

        let evaluatedModel = try evaluate(model, option: "--model", data: opened, items: items, rewards: composer, cache: cache, log: log)
        let evaluatedBaseline = try baseline.map {
            try evaluate($0, option: "--baseline", data: opened, items: items, rewards: composer, cache: cache, log: log)
        }
        return EvaluationReport(dataset: opened.description, split: split, rewards: rewardLabels, items: items,
                                model: evaluatedModel, baseline: evaluatedBaseline)
    }

    /// The rewards given, else what `rlrun` trains against.
    var rewardSpecs: [(name: String, weight: Double)] { rewards.isEmpty ? RunConfiguration().rewards : rewards.map { ($0.name, $0.weight) } }

    func makeRewards(_ loader: PluginLoader, siblings: [PluginDescriptor]) throws -> (RewardComposer, [(name: String, weight: Double)]) {
        var terms: [RewardComposer.Term] = []
        for spec in rewardSpecs {
            let plugin = try loader.descriptor(named: spec.name, kind: .reward)
            let options = SharedPluginOptions.options(rewardOptions[plugin.id] ?? [:], for: plugin, siblings: siblings)
            terms.append(.init(name: plugin.id, weight: spec.weight, reward: try loader.reward(spec.name, options: options)))
        }
        let composer = RewardComposer(terms)
        return (composer, composer.terms.map { ($0.name, $0.weight) })
    }

    func evaluate(_ name: String, option: String, data: DatasetChoice.Opened, items: [DatasetItem], rewards: RewardComposer,
                  cache: URL, log: (String) -> Void) throws -> ModelEvaluation {
        let loaded = try load(name, option: option, data: data, cache: cache, log: log)
        var settings = try PolicyFolder.defaultSettings(for: loaded)
        if let maxNewTokens { settings = try settings.applying(["max_new_tokens": .number(Double(maxNewTokens))], source: "--max-new-tokens") }
        let sampling = settings.sampling(for: loaded.policy)
        log("[EVAL] \(name): answering \(items.count) items (greedy, up to \(sampling.maxNewTokens) tokens)")
        let started = Date()
        let batch = try Evaluator.answer(items, policy: loaded.policy, sampling: sampling, rewards: rewards, batchSize: batchSize)
        log(String(format: "[EVAL] %@: done in %.1f s", name, Date().timeIntervalSince(started)))
        let known = batch.correct.compactMap { $0 }
        let sampled = samples > 0 ? try sample(name, policy: loaded.policy, sampling: sampling, items: items, rewards: rewards, log: log) : nil
        return ModelEvaluation(model: name, folder: loaded.folder.path, maxNewTokens: sampling.maxNewTokens,
                               correct: known.count == batch.count ? known.map { $0 >= 0.5 } : nil,
                               rewards: batch.rewards, completions: batch.texts, sampled: sampled)
    }

    /// `samples` completions per item as training draws them (seeded), counted right per item.
    func sample(_ name: String, policy: Policy, sampling: PolicySampling, items: [DatasetItem], rewards: RewardComposer,
                log: (String) -> Void) throws -> SampledAccuracy? {
        log("[EVAL] \(name): sampling \(samples) completions of each item at temperature \(sampling.temperature)")
        let started = Date()
        let collector = RolloutCollector(policy: policy, rewards: rewards, groupSize: samples, sampling: sampling)
        let generator = try Generator(seed: 0, device: policy.model.device)
        let itemsPerBatch = max(1, 128 / samples)
        var counts: [Int] = []
        for start in stride(from: 0, to: items.count, by: itemsPerBatch) {
            let chunk = Array(items[start..<min(start + itemsPerBatch, items.count)])
            let batch = try withNoGrad { try collector.collect(chunk, generator: generator) }
            let correct = batch.correct.compactMap { $0 }
            guard correct.count == batch.count else {
                log("[WARN] no reward reports accuracy (a component named accuracy, as gsm8k's): pass@k is not computed")
                return nil
            }
            for item in 0..<chunk.count {
                counts.append(correct[(item * samples)..<((item + 1) * samples)].filter { $0 >= 0.5 }.count)
            }
        }
        log(String(format: "[EVAL] %@: sampled in %.1f s", name, Date().timeIntervalSince(started)))
        return SampledAccuracy(samplesPerItem: samples, temperature: sampling.temperature, correctCounts: counts)
    }

    func load(_ name: String, option: String, data: DatasetChoice.Opened, cache: URL, log: (String) -> Void) throws -> PolicyFolder.Loaded {
        guard name == PolicyFolder.builtInName else { return try PolicyFolder.load(URL(fileURLWithPath: name), device: device, option: option) }
        let (policy, folder) = try BuiltInPolicy.load(dataset: data.dataset, datasetKey: data.cacheKey, cache: cache, device: device, log: log)
        return PolicyFolder.Loaded(policy: policy, isBuiltIn: true, folder: folder)
    }
}
