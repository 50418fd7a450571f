import Engine
import Foundation
import Models
import RLRunSDK

/// The RL loop of DESIGN.md section 4: prompts from the dataset, groups of completions from
/// the policy, rewards, then the algorithm's shaping, group filter, advantages and loss over
/// `mu` updates of micro-batches. The trainer knows only the protocols: it never asks which
/// algorithm, reward or dataset it runs.
public final class Trainer {
    public let policy: Policy
    public let algorithm: any Algorithm
    public let rewards: RewardComposer
    public let dataset: any Dataset
    public let configuration: TrainingConfiguration
    /// The frozen reference policy for KL terms (nil: LoRA adapters switched off, or none needed).
    public let reference: Transformer?
    public let critic: ScalarHead?
    /// Chooses the prompt masks of a masked-diffusion policy's log-prob estimate.
    public let masker: PromptMasker?
    public let requirements: AlgorithmRequirements
    public let groupSize: Int
    public let mu: Int

    public internal(set) var step = 0
    public internal(set) var optimizerStep = 0
    public internal(set) var cursor: DataCursor
    /// Everything the last step generated (kept or not), for sample logs.
    public internal(set) var lastGenerated: GeneratedBatch?
    public let generator: Generator
    let optimizer: AdamW
    let trainable: [Tensor]
    let schedule: LearningRateSchedule
    var gradientNormHistory: [Double] = []
    var stability: StabilityController
    /// Steps in a row whose update was skipped for a NaN or infinite value.
    public internal(set) var consecutiveNonFiniteSteps = 0
    /// The policy collapsed and the run asked to stop then (`stop_on_collapse`).
    public var collapsed: Bool { stability.collapsed }
    /// Called with a line for the log (warnings about dynamic sampling and skipped steps).
    public var log: (String) -> Void = { _ in }

    public init(policy: Policy, algorithm: any Algorithm, rewards: RewardComposer, dataset: any Dataset,
                configuration: TrainingConfiguration, reference: Transformer? = nil, masker: PromptMasker? = nil) throws {
        self.policy = policy
        self.algorithm = algorithm
        self.rewards = rewards
        self.dataset = dataset
        self.configuration = configuration
        requirements = algorithm.requirements
        groupSize = configuration.groupSize ?? requirements.groupSize
        mu = configuration.mu ?? requirements.mu
        let model = policy.model
        switch (requirements.policy, model.configuration.maskedDiffusion) {
        case (.maskedDiffusion, false):
            throw ConfigurationError(source: "algorithm", message: "needs a masked-diffusion policy (LLaDA-style); the model is causal")
        case (.causal, true):
            throw ConfigurationError(source: "algorithm", message: "needs a causal policy; the model is masked-diffusion (use diffu-grpo)")
        case (.maskedDiffusion, true) where masker == nil:
            throw ConfigurationError(source: "masking", message: "a masked-diffusion policy needs a masking strategy (e.g. --masking random)")
        case (.maskedDiffusion, true) where requirements.needsCritic:
            throw ConfigurationError(source: "algorithm", message: "a critic needs a causal policy")
        default: break
        }
        self.masker = masker
        stability = StabilityController(configuration.stability)
        guard configuration.temperature > 0 else {
            throw ConfigurationError(source: "temperature", message: "RL needs sampling: temperature must be > 0")
        }
        if requirements.needsReference && reference == nil && model.loraConfiguration == nil {
            throw ConfigurationError(source: "algorithm", message: "needs a reference policy: pass a frozen copy of the model, or train with LoRA")
        }
        self.reference = reference
        generator = try Generator(seed: configuration.seed, device: model.device)
        critic = requirements.needsCritic
            ? try ScalarHead(hidden: model.configuration.hiddenSize, generator: generator, dtype: model.dtype, device: model.device)
            : nil
        if model.loraConfiguration != nil {
            trainable = model.loraParameters() + (critic?.parameters ?? [])
        } else {
            let weights = model.parameters().map(\.1)
            for weight in weights { try weight.requiringGrad() }
            trainable = weights + (critic?.parameters ?? [])
        }
        optimizer = try AdamW(parameters: trainable, options: .init(beta1: configuration.beta1, beta2: configuration.beta2,
                                                                    eps: configuration.adamEps, weightDecay: configuration.weightDecay))
        schedule = LearningRateSchedule(kind: configuration.learningRateSchedule, baseRate: configuration.learningRate,
                                        warmupSteps: configuration.warmupSteps, totalSteps: max(1, configuration.steps * mu))
        cursor = DataCursor(count: try dataset.count(split: configuration.trainSplit), seed: configuration.seed)
        guard cursor.count > 0 else { throw ConfigurationError(source: "dataset", message: "split '\(configuration.trainSplit)' is empty") }
    }

    var sampling: PolicySampling { configuration.sampling(for: policy) }

    /// One RL step: generate (with dynamic-sampling rounds when the algorithm filters groups),
    /// then update. Returns the step's metrics.
    @discardableResult
    public func trainStep() throws -> [String: Double] {
        var metrics: [String: Double] = [:]
        let started = Date()
        let collector = RolloutCollector(policy: policy, rewards: rewards, groupSize: groupSize, sampling: sampling)
        var kept = GeneratedBatch(groupSize: groupSize)
        var generated = GeneratedBatch(groupSize: groupSize)
        var rounds = 0
        policy.model.setTraining(false)
        while true {
            let items = try cursor.next(configuration.promptsPerStep).map { try dataset.item(split: configuration.trainSplit, index: $0) }
            var batch = try withNoGrad { try collector.collect(items, generator: generator) }
            generated.append(batch, keepingGroups: Array(repeating: true, count: batch.groupCount))
            let rollout = batch.rollout(maxNewTokens: configuration.maxNewTokens)
            try algorithm.shapeRewards(&batch.rewards, rollout: rollout)
            let keep = try algorithm.keepGroups(rewards: batch.rewards, rollout: rollout)
            kept.append(batch, keepingGroups: keep)
            rounds += 1
            if kept.groupCount >= configuration.promptsPerStep { kept = kept.prefix(groups: configuration.promptsPerStep); break }
            if rounds > requirements.maxGenerationRounds {
                if requirements.maxGenerationRounds > 0 {
                    log("[RL] Step \(step + 1): kept \(kept.groupCount) of \(configuration.promptsPerStep) groups after \(rounds) generation rounds; training on what was kept")
                }
                break
            }
        }
        let generationSeconds = Date().timeIntervalSince(started)
        lastGenerated = generated
        metrics.merge(Self.rolloutMetrics(generated), uniquingKeysWith: { $1 })
        metrics["groups_kept"] = Double(kept.groupCount)
        metrics["groups_dropped"] = Double(generated.groupCount - kept.groupCount)
        metrics["generation_rounds"] = Double(rounds)
        metrics["time_generation"] = generationSeconds
        metrics["tokens_per_second_generation"] = Double(generated.completions.map(\.count).reduce(0, +)) / max(generationSeconds, 1e-9)

        if kept.groupCount == 0 {
            log("[RL] Step \(step + 1): every group was filtered out; no update")
            metrics["skipped"] = 1
        } else {
            let updateStarted = Date()
            metrics.merge(try update(kept), uniquingKeysWith: { $1 })
            let seconds = Date().timeIntervalSince(updateStarted)
            metrics["time_update"] = seconds
            metrics["tokens_per_second_training"] = Double(mu * kept.completions.map(\.count).reduce(0, +)) / max(seconds, 1e-9)
        }
        step += 1
        if metrics["nonfinite_skipped"] == 1 {
            consecutiveNonFiniteSteps += 1
            metrics["nonfinite_steps"] = Double(consecutiveNonFiniteSteps)
            if consecutiveNonFiniteSteps >= configuration.maxNonFiniteSteps {
                throw NumericalDivergence(step: step, steps: consecutiveNonFiniteSteps)
            }
        } else {
            consecutiveNonFiniteSteps = 0
        }
        for line in stability.observe(metrics) { log("[RL] Step \(step): \(line)") }
        metrics["lr_scale"] = stability.learningRateScale
        metrics["entropy_bonus"] = stability.entropyBonus
        metrics["step"] = Double(step)
        metrics["time_step"] = Date().timeIntervalSince(started)
        return metrics
    }

    static func rolloutMetrics(_ batch: GeneratedBatch) -> [String: Double] {
        var metrics: [String: Double] = [:]
        let n = Double(max(1, batch.count))
        let mean = batch.rewards.reduce(0, +) / n
        metrics["reward_mean"] = mean
        metrics["reward_std"] = (batch.rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        for (name, component) in batch.components {
            if case .numbers(let values) = component { metrics["reward/\(name)"] = values.reduce(0, +) / n }
        }
        let known = batch.correct.compactMap { $0 }
        if !known.isEmpty { metrics["accuracy"] = known.reduce(0, +) / Double(known.count) }
        let lengths = batch.completions.map { Double($0.count) }
        metrics["completion_length_mean"] = lengths.reduce(0, +) / n
        metrics["completion_length_max"] = lengths.max() ?? 0
        metrics["truncated_fraction"] = Double(batch.stopReasons.filter { $0 == .length }.count) / n
        // Groups whose completions are all the same text: a sign of collapse, and no signal.
        let identical = (0..<batch.groupCount).filter { g in
            Set(batch.texts[(g * batch.groupSize)..<((g + 1) * batch.groupSize)]).count == 1
        }.count
        metrics["identical_groups_fraction"] = Double(identical) / Double(max(1, batch.groupCount))
        return metrics
    }

    /// Advantages once, then `mu` optimizer steps over micro-batches of the kept completions.
    func update(_ kept: GeneratedBatch) throws -> [String: Double] {
        let model = policy.model
        let device = model.device
        let made = try makeScoring(kept)
        let scoring = made.scoring
        var metrics = made.metrics
        let mask = scoring.mask
        let width = mask.size(1)
        let oldValues: Tensor? = try critic.map { head in
            try withNoGrad { try head(scoring.pass(iteration: 0, rows: 0..<kept.count, entropy: false, entropyGradient: false, hidden: true).hidden!) }
        }
        let rollout = kept.rollout(maxNewTokens: configuration.maxNewTokens)
        let rewardsTensor = try Tensor(kept.rewards.map(Float.init), device: device)
        let firstOld = try scoring.oldLogProbs(iteration: 0) ?? Tensor.zeros([kept.count, width], device: device)
        var result = try algorithm.advantages(AdvantageInputs(rollout: rollout, rewards: rewardsTensor, mask: mask,
                                                              oldLogProbs: firstOld, refLogProbs: scoring.referenceLogProbs(iteration: 0),
                                                              values: oldValues))
        let advantages = result.advantages.rank == 1
            ? try result.advantages.unsqueeze(1).expand([kept.count, width]) * mask : result.advantages
        result.advantages = advantages
        let maskSum = try mask.sum().item()
        metrics["advantage_mean"] = try (advantages * mask).sum().item() / max(maskSum, 1)
        metrics["advantage_abs_mean"] = try (advantages.abs() * mask).sum().item() / max(maskSum, 1)
        guard kept.rewards.allSatisfy(\.isFinite), metrics["advantage_mean"]!.isFinite else {
            log("[RL] Step \(step + 1): rewards or advantages are not finite; no update")
            metrics["nonfinite_skipped"] = 1
            return metrics
        }

        model.setTraining(true)
        defer { model.setTraining(false) }
        var weighted: [String: Double] = [:]
        var weightTotal = 0.0
        var lossTotal = 0.0
        var gradientNorms: [Double] = []
        var skipped = 0
        let micro = configuration.microBatchSize
        var nonFinite: String?
        updates: for iteration in 0..<mu {
            try optimizer.zeroGrad()
            for start in stride(from: 0, to: kept.count, by: micro) {
                let rows = start..<min(start + micro, kept.count)
                func cut(_ t: Tensor?) throws -> Tensor? { try t?.slice(dim: 0, start: rows.lowerBound, end: rows.upperBound) }
                let pass = try scoring.pass(iteration: iteration, rows: rows, entropy: true,
                                            entropyGradient: requirements.needsEntropy || stability.entropyBonus > 0, hidden: critic != nil)
                let output = try algorithm.loss(LossInputs(
                    logProbs: pass.logProbs, oldLogProbs: cut(scoring.oldLogProbs(iteration: iteration)) ?? pass.logProbs.detached(),
                    refLogProbs: cut(scoring.referenceLogProbs(iteration: iteration)),
                    advantages: cut(advantages)!, mask: pass.mask, entropy: pass.entropy,
                    values: try critic.map { try $0(pass.hidden!) }, oldValues: cut(oldValues), returns: cut(result.returns),
                    stepTokens: maskSum, stepSequences: Double(kept.count), maxNewTokens: configuration.maxNewTokens))
                let lossValue = try output.loss.item()
                guard lossValue.isFinite else {
                    nonFinite = "loss is \(lossValue)"
                    break updates
                }
                var loss = output.loss
                if let entropy = pass.entropy {
                    let entropySum = try (entropy * pass.mask).sum()
                    weighted["entropy_trainer", default: 0] += try entropySum.item()
                    // The entropy floor's bonus, token-mean over the step like the losses it joins.
                    if stability.entropyBonus > 0 { loss = try loss - entropySum * (stability.entropyBonus / max(maskSum, 1)) }
                }
                try loss.backward()
                let tokens = try pass.mask.sum().item()
                weightTotal += tokens
                lossTotal += lossValue
                for (name, value) in output.metrics { weighted[name, default: 0] += value * tokens }
            }
            let norm = try clipGradientNorm(trainable, maxNorm: configuration.gradientClip)
            guard norm.isFinite else {
                nonFinite = "gradient norm is \(norm)"
                break updates
            }
            gradientNorms.append(norm)
            if let factor = configuration.gradientSpikeFactor, gradientNormHistory.count >= 5,
               norm > factor * gradientNormHistory.suffix(20).reduce(0, +) / Double(min(20, gradientNormHistory.count)) {
                skipped += 1
                log("[RL] Step \(step + 1): gradient norm \(norm) is a spike; update skipped")
            } else {
                try optimizer.step(lr: schedule.rate(atStep: optimizerStep) * stability.learningRateScale)
            }
            gradientNormHistory.append(norm)
            optimizerStep += 1
        }
        try optimizer.zeroGrad()
        if let nonFinite {
            log("[RL] Step \(step + 1): \(nonFinite); the rest of this step's updates are skipped")
            metrics["nonfinite_skipped"] = 1
        }
        // The trainer's own entropy measurement, where the algorithm reports none.
        if let entropySum = weighted.removeValue(forKey: "entropy_trainer"), weighted["entropy"] == nil {
            weighted["entropy"] = entropySum
        }
        for (name, value) in weighted { metrics[name] = value / max(weightTotal, 1) }
        // The micro-batch losses of one update add up to the step loss; report its mean over updates.
        metrics["loss"] = lossTotal / Double(mu)
        metrics["grad_norm"] = gradientNorms.reduce(0, +) / Double(max(1, gradientNorms.count))
        metrics["updates_skipped"] = Double(skipped)
        metrics["learning_rate"] = schedule.rate(atStep: max(0, optimizerStep - 1)) * stability.learningRateScale
        return metrics
    }
}

/// The run stops: `steps` updates in a row had NaN or infinite values. Thrown before any
/// checkpoint of the bad step is written, so the last checkpoint is the last good state.
public struct NumericalDivergence: Error, CustomStringConvertible {
    public let step: Int
    public let steps: Int
    public var description: String {
        "training diverged: \(steps) steps in a row up to step \(step) had NaN or infinite rewards, advantages, loss or gradients "
            + "(each was skipped); the last checkpoint holds the last good state. Lower learning_rate, check the rewards, "
            + "or raise max_nonfinite_steps"
    }
}
