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
    /// The critic's own backbone (`critic_model: separate`); nil: the head reads the policy's states.
    public let criticBackbone: Transformer?
    /// Chooses the prompt masks of a masked-diffusion policy's log-prob estimate.
    public let masker: PromptMasker?
    public let requirements: AlgorithmRequirements
    public let groupSize: Int
    public let mu: Int
    /// The ranks of a data-parallel run (nil: this process alone); see DataParallel.swift.
    public let group: ProcessGroup?

    public internal(set) var step = 0
    public internal(set) var optimizerStep = 0
    public internal(set) var cursor: DataCursor
    /// Everything the last step generated (kept or not), for sample logs.
    public internal(set) var lastGenerated: GeneratedBatch?
    public let generator: Generator
    let optimizer: AdamW
    let trainable: [Tensor]
    /// The first `policyParameterCount` of `trainable` are the policy's, the rest the critic's.
    let policyParameterCount: Int
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
                configuration: TrainingConfiguration, reference: Transformer? = nil, criticBackbone: Transformer? = nil,
                masker: PromptMasker? = nil, group: ProcessGroup? = nil) throws {
        self.policy = policy
        self.algorithm = algorithm
        self.rewards = rewards
        self.dataset = dataset
        self.configuration = configuration
        requirements = algorithm.requirements
        groupSize = configuration.groupSize ?? requirements.groupSize
        mu = configuration.mu ?? requirements.mu
        if let perRound = configuration.promptsPerRound, perRound > configuration.promptsPerStep, requirements.maxGenerationRounds == 0 {
            throw ConfigurationError(source: "prompts_per_round", message: "is \(perRound), more than prompts_per_step (\(configuration.promptsPerStep)), but this algorithm keeps every group in one round: "
                + "the extra prompts would be generated and dropped; it is for dynamic sampling (dapo, or dynamic_sampling: true)")
        }
        if let screen = configuration.screeningSamples {
            guard requirements.maxGenerationRounds > 0 else {
                throw ConfigurationError(source: "screening_samples", message: "screens prompts for dynamic sampling, but this algorithm keeps every group: use it with dapo, or dynamic_sampling: true")
            }
            guard screen < groupSize else {
                throw ConfigurationError(source: "screening_samples", message: "is \(screen), but it must be less than group_size (\(groupSize)): the screen is the first part of each group")
            }
        }
        // The plugin checked its own group_size; the trainer's may override it.
        if requirements.maxGenerationRounds > 0 && groupSize < 2 {
            throw ConfigurationError(source: "group_size", message: "the algorithm's dynamic sampling keeps groups whose completions differ, so it needs group_size >= 2 (got \(groupSize)); raise it or turn dynamic sampling off")
        }
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
        self.group = group
        if let group, configuration.promptsPerStep < group.worldSize {
            throw ConfigurationError(source: "prompts_per_step", message: "is \(configuration.promptsPerStep), fewer than the \(group.worldSize) processes: "
                + "each process trains on whole groups, so give every one at least one prompt")
        }
        stability = StabilityController(configuration.stability)
        guard configuration.temperature > 0 else {
            throw ConfigurationError(source: "temperature", message: "RL needs sampling: temperature must be > 0")
        }
        if requirements.needsReference && reference == nil && model.loraConfiguration == nil {
            throw ConfigurationError(source: "algorithm", message: "needs a reference policy: pass a frozen copy of the model, or train with LoRA")
        }
        self.reference = reference
        if criticBackbone != nil && !requirements.needsCritic {
            throw ConfigurationError(source: "critic_model", message: "separate needs an algorithm with a critic (ppo); this one has none")
        }
        if configuration.criticLearningRate != nil && !requirements.needsCritic {
            throw ConfigurationError(source: "critic_learning_rate", message: "needs an algorithm with a critic (ppo); this one has none")
        }
        if configuration.criticWarmupSteps > 0 && !requirements.needsCritic {
            throw ConfigurationError(source: "critic_warmup", message: "needs an algorithm with a critic (ppo); this one has none")
        }
        self.criticBackbone = criticBackbone
        generator = try Generator(seed: configuration.seed, device: model.device)
        critic = requirements.needsCritic
            ? try ScalarHead.zeros(hidden: model.configuration.hiddenSize, dtype: model.dtype, device: model.device)
            : nil
        let criticBackboneWeights = criticBackbone?.parameters().map(\.1) ?? []
        for weight in criticBackboneWeights { try weight.requiringGrad() }
        let criticWeights = criticBackboneWeights + (critic?.parameters ?? [])
        if model.loraConfiguration != nil {
            trainable = model.loraParameters() + criticWeights
        } else {
            let weights = model.parameters().map(\.1)
            for weight in weights { try weight.requiringGrad() }
            trainable = weights + criticWeights
        }
        policyParameterCount = trainable.count - criticWeights.count
        optimizer = try AdamW(parameters: trainable, options: .init(beta1: configuration.beta1, beta2: configuration.beta2,
                                                                    eps: configuration.adamEps, weightDecay: configuration.weightDecay))
        schedule = LearningRateSchedule(kind: configuration.learningRateSchedule, baseRate: configuration.learningRate,
                                        warmupSteps: configuration.warmupSteps,
                                        totalSteps: max(1, configuration.steps * mu * configuration.miniBatches))
        cursor = DataCursor(count: try dataset.count(split: configuration.trainSplit), seed: configuration.seed)
        guard cursor.count > 0 else { throw ConfigurationError(source: "dataset", message: "split '\(configuration.trainSplit)' is empty") }
        try broadcastWeights()
    }

    var sampling: PolicySampling { configuration.sampling(for: policy) }

    /// One RL step: generate (with dynamic-sampling rounds when the algorithm filters groups),
    /// then update. Returns the step's metrics.
    @discardableResult
    public func trainStep() throws -> [String: Double] {
        var metrics: [String: Double] = [:]
        let started = Date()
        var kept = GeneratedBatch(groupSize: groupSize)
        var generated = GeneratedBatch(groupSize: groupSize)
        var totals = RolloutTotals()
        var rounds = 0
        let wanted = configuration.promptsPerStep
        // Groups kept so far over every rank, in (round, group) order: the first `wanted` train.
        var keptOverall = 0
        var generatedOverall = 0
        policy.model.setTraining(false)
        while true {
            let indices = cursor.next(configuration.promptsPerRound ?? wanted)
            let mine = share(of: indices.count)
            let items = try indices[mine].map { try dataset.item(split: configuration.trainSplit, index: $0) }
            let sources = indices[mine].map { "item \($0) of split '\(configuration.trainSplit)'" }
            let round = try sampleRound(items, round: rounds, share: mine, total: indices.count, sources: sources)
            var batch = round.groups
            totals.add(round.totals)
            generated.append(batch, keepingGroups: Array(repeating: true, count: batch.groupCount))
            let rollout = batch.rollout(maxNewTokens: configuration.maxNewTokens)
            try algorithm.shapeRewards(&batch.rewards, rollout: rollout)
            // Per group of this rank's share: a group the screen dropped is not kept.
            var keep = Array(repeating: false, count: mine.count)
            for (j, kept) in try algorithm.keepGroups(rewards: batch.rewards, rollout: rollout).enumerated() { keep[round.passed[j]] = kept }
            let overall = try globalFlags(keep, share: mine, total: indices.count)
            let trains = Self.groupsThatTrain(keep: keep, overall: overall, share: mine, keptBefore: keptOverall, wanted: wanted)
            kept.append(batch, keepingGroups: round.passed.map { trains[$0] })
            keptOverall = min(wanted, keptOverall + overall.filter { $0 }.count)
            generatedOverall += indices.count
            rounds += 1
            if keptOverall >= wanted { break }
            if rounds > requirements.maxGenerationRounds {
                if requirements.maxGenerationRounds > 0 {
                    log("[RL] Step \(step + 1): kept \(keptOverall) of \(wanted) groups after \(rounds) generation rounds; training on what was kept")
                }
                break
            }
        }
        let generationSeconds = Date().timeIntervalSince(started)
        lastGenerated = generated
        totals.sums = try globalSums(totals.sums)
        totals.longest = try globalMax(totals.longest)
        metrics.merge(totals.metrics, uniquingKeysWith: { $1 })
        metrics["groups_kept"] = Double(keptOverall)
        metrics["groups_dropped"] = Double(generatedOverall - keptOverall)
        metrics["generation_rounds"] = Double(rounds)
        if configuration.screeningSamples != nil { metrics["groups_screened_out"] = totals.sums["screened_out"] ?? 0 }
        metrics["time_generation"] = generationSeconds
        metrics["tokens_per_second_generation"] = (totals.sums["tokens"] ?? 0) / max(generationSeconds, 1e-9)

        if keptOverall == 0 {
            log("[RL] Step \(step + 1): every group was filtered out; no update")
            metrics["skipped"] = 1
        } else {
            let updateStarted = Date()
            metrics.merge(try update(kept), uniquingKeysWith: { $1 })
            let seconds = Date().timeIntervalSince(updateStarted)
            metrics["time_update"] = seconds
            let trained = try globalSums(["tokens": Double(kept.completions.map(\.count).reduce(0, +))])["tokens"] ?? 0
            metrics["tokens_per_second_training"] = Double(mu) * trained / max(seconds, 1e-9)
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

    /// Advantages once, then `mu` optimizer steps over micro-batches of the kept completions.
    /// In a data-parallel run a rank may hold none of the kept groups; it still joins every
    /// collective, contributing nothing.
    func update(_ kept: GeneratedBatch) throws -> [String: Double] {
        let model = policy.model
        var metrics: [String: Double] = [:]
        var prepared: PreparedUpdate?
        var trained = kept
        let counted = countedRows(kept) ?? Array(repeating: true, count: kept.count)
        // Mini-batch j of every rank is its j-th share of whole groups (empty where a rank has fewer).
        let shares = Self.miniBatchShares(groups: kept.groupCount, groupSize: groupSize, count: configuration.miniBatches)
        var rowTokens = [Float](repeating: 0, count: kept.count)
        var local: [String: Double] = ["finite": 1]
        if kept.count > 0 {
            let update = try prepareUpdate(kept)
            metrics = update.metrics
            rowTokens = try update.scoring.mask.sum(dim: 1).toArray(Float.self)
            local["advantage"] = try (update.advantages * update.scoring.mask).sum().item()
            local["advantage_abs"] = try (update.advantages.abs() * update.scoring.mask).sum().item()
            local["finite"] = kept.rewards.allSatisfy(\.isFinite) && local["advantage"]!.isFinite ? 1 : 0
            prepared = update
            if local["finite"] == 1, shares.count == 1, let lean = try withoutInertGroups(update, of: kept) {
                prepared = lean.0
                trained = lean.1
            }
            local["groups_trained"] = Double(trained.groupCount)
        } else {
            joinAdvantagesWithoutRows()
        }
        local.merge(Self.shareCounts(rowTokens: rowTokens, counted: counted, shares: shares)) { $1 }
        let step = try globalSums(local)
        metrics["groups_trained"] = step["groups_trained"] ?? 0
        let shareTokens = shares.indices.map { step["tokens.\($0)"] ?? 0 }
        let shareSequences = shares.indices.map { step["sequences.\($0)"] ?? 0 }
        let stepTokens = shareTokens.reduce(0, +)
        metrics["advantage_mean"] = (step["advantage"] ?? 0) / max(stepTokens, 1)
        metrics["advantage_abs_mean"] = (step["advantage_abs"] ?? 0) / max(stepTokens, 1)
        guard step["finite"] == Double(worldSize), metrics["advantage_mean"]!.isFinite else {
            log("[RL] Step \(self.step + 1): rewards or advantages are not finite; no update")
            metrics["nonfinite_skipped"] = 1
            return metrics
        }
        guard stepTokens > 0 else {
            // Every kept completion masked out (mask_truncated_completions): no loss to take.
            log("[RL] Step \(self.step + 1): no completion token counts in the loss (all truncated and masked); no update")
            metrics["grad_norm"] = 0
            return metrics
        }

        model.setTraining(true)
        criticBackbone?.setTraining(true)
        defer {
            model.setTraining(false)
            criticBackbone?.setTraining(false)
        }
        var sums: [String: Double] = [:]
        var gradientNorms: [Double] = []
        var skipped = 0
        let micro = configuration.microBatchSize
        var nonFinite: String?
        updates: for iteration in 0..<mu {
            var epoch = prepared
            var (epochTokens, epochSequences) = (shareTokens, shareSequences)
            if iteration > 0, shares.count > 1 {
                // Every epoch after the first takes the groups in a new order, so that its
                // mini-batches mix other groups (TRL and OpenRLHF reshuffle per epoch too).
                let order = epochRowOrder(groups: kept.groupCount, epoch: iteration)
                epoch = try prepared?.reordered(order)
                let totals = try globalSums(Self.shareCounts(rowTokens: order.map { rowTokens[$0] }, counted: order.map { counted[$0] },
                                                             shares: shares))
                epochTokens = shares.indices.map { totals["tokens.\($0)"] ?? 0 }
                epochSequences = shares.indices.map { totals["sequences.\($0)"] ?? 0 }
            }
            // One optimizer step per mini-batch (the same count on every rank); with one, the rows
            // are those trained, inert groups left out.
            for (share, shareRows) in shares.enumerated() where epochTokens[share] > 0 {
                let rows = shares.count == 1 ? 0..<trained.count : shareRows
                try optimizer.zeroGrad()
                if let epoch {
                    for start in stride(from: rows.lowerBound, to: rows.upperBound, by: micro) {
                        guard let lossValue = try accumulate(epoch, rows: start..<min(start + micro, rows.upperBound), iteration: iteration,
                                                             stepTokens: epochTokens[share], stepSequences: epochSequences[share], into: &sums)
                        else {
                            nonFinite = "loss is not finite"
                            break
                        }
                        sums["loss", default: 0] += lossValue
                    }
                }
                if try anyRank(nonFinite != nil) {
                    nonFinite = nonFinite ?? "loss is not finite on another process"
                    break updates
                }
                if self.step < configuration.criticWarmupSteps { metrics["critic_warmup"] = 1 }
                let norm = try applyGradients(skipped: &skipped)
                guard norm.isFinite else {
                    nonFinite = "gradient norm is \(norm)"
                    break updates
                }
                gradientNorms.append(norm)
            }
        }
        try optimizer.zeroGrad()
        if let nonFinite {
            log("[RL] Step \(self.step + 1): \(nonFinite); the rest of this step's updates are skipped")
            metrics["nonfinite_skipped"] = 1
        }
        // Sums over micro-batches and ranks: losses add up to the step loss, metrics are token-weighted.
        var weighted = try globalSums(sums)
        let lossTotal = weighted.removeValue(forKey: "loss") ?? 0
        let weightTotal = weighted.removeValue(forKey: "weight") ?? 0
        // The trainer's own entropy measurement, where the algorithm reports none.
        if let entropySum = weighted.removeValue(forKey: "entropy_trainer"), weighted["entropy"] == nil {
            weighted["entropy"] = entropySum
        }
        for (name, value) in weighted { metrics[name] = value / max(weightTotal, 1) }
        metrics["loss"] = lossTotal / Double(mu * shares.count)
        metrics["grad_norm"] = gradientNorms.reduce(0, +) / Double(max(1, gradientNorms.count))
        metrics["updates_skipped"] = Double(skipped)
        let rates = learningRates(atStep: max(0, optimizerStep - 1))
        metrics["learning_rate"] = rates.policy
        if critic != nil, configuration.criticLearningRate != nil { metrics["critic_learning_rate"] = rates.critic }
        return metrics
    }

    /// One optimizer step from the gradients accumulated: all-reduced over ranks, the policy's
    /// zeroed during the critic's warm-up, clipped, skipped when a spike, then AdamW at
    /// `learningRates`. Returns the gradient norm; when it is not finite nothing is stepped.
    func applyGradients(skipped: inout Int) throws -> Double {
        try group?.allReduceGradients(trainable)
        if step < configuration.criticWarmupSteps {
            for parameter in trainable.prefix(policyParameterCount) { try parameter.zeroGrad() }
        }
        let norm = try clipGradientNorm(trainable, maxNorm: configuration.gradientClip)
        guard norm.isFinite else { return norm }
        if let factor = configuration.gradientSpikeFactor, gradientNormHistory.count >= 5,
           norm > factor * gradientNormHistory.suffix(20).reduce(0, +) / Double(min(20, gradientNormHistory.count)) {
            skipped += 1
            log("[RL] Step \(step + 1): gradient norm \(norm) is a spike; update skipped")
        } else {
            let rates = learningRates(atStep: optimizerStep)
            try optimizer.step { $0 < policyParameterCount ? rates.policy : rates.critic }
        }
        gradientNormHistory.append(norm)
        optimizerStep += 1
        return norm
    }

    /// The policy's and the critic's learning rates at an optimizer step: the critic keeps to
    /// the schedule's shape at its own rate; the KL control scales the policy's only.
    func learningRates(atStep step: Int) -> (policy: Double, critic: Double) {
        let scheduled = schedule.rate(atStep: step)
        return (scheduled * stability.learningRateScale,
                scheduled * (configuration.criticLearningRate ?? configuration.learningRate) / configuration.learningRate)
    }

    /// Optimizer steps per generated batch: `mu` passes of `mini_batches` each. With one the
    /// update is on-policy.
    var updatesPerBatch: Int { mu * configuration.miniBatches }

    /// A rank that holds none of the kept groups still calls the algorithm's advantages, on an
    /// empty batch, so that a statistic the algorithm sums over processes (the batch-wide std,
    /// PPO's whitening) meets a call from every rank. An algorithm that cannot take an empty
    /// batch throws here before any collective, which is harmless: it has none to join.
    func joinAdvantagesWithoutRows() {
        guard worldSize > 1 else { return }
        let device = policy.model.device
        guard let rows = try? Tensor.zeros([0, 1], device: device), let rewards = try? Tensor.zeros([0], device: device) else { return }
        let rollout = GeneratedBatch(groupSize: groupSize).rollout(maxNewTokens: configuration.maxNewTokens)
        _ = try? algorithm.advantages(AdvantageInputs(rollout: rollout, rewards: rewards, mask: rows, oldLogProbs: rows,
                                                      refLogProbs: requirements.needsReference ? rows : nil,
                                                      values: critic != nil ? rows : nil))
    }

    /// `count` contiguous shares of `groups` whole groups of `groupSize` rows, as even as can be
    /// (the first ones one group larger); empty shares where there are fewer groups than shares.
    static func miniBatchShares(groups: Int, groupSize: Int, count: Int) -> [Range<Int>] {
        var start = 0
        return (0..<count).map { j in
            let size = groups / count + (j < groups % count ? 1 : 0)
            defer { start += size }
            return (start * groupSize)..<((start + size) * groupSize)
        }
    }

    /// Each share's counted tokens and sequences ("tokens.j", "sequences.j"), to be summed over ranks.
    static func shareCounts(rowTokens: [Float], counted: [Bool], shares: [Range<Int>]) -> [String: Double] {
        var counts: [String: Double] = [:]
        for (j, rows) in shares.enumerated() {
            counts["tokens.\(j)"] = Double(rowTokens[rows].reduce(0, +))
            counts["sequences.\(j)"] = Double(counted[rows].filter { $0 }.count)
        }
        return counts
    }

    /// The rows of this rank's kept groups in epoch `epoch`'s order: whole groups shuffled by a
    /// draw of the seed, the step and the epoch alone, so a resumed run takes the same order.
    func epochRowOrder(groups: Int, epoch: Int) -> [Int] {
        let seed = Self.mix(UInt64(truncatingIfNeeded: configuration.seed), UInt64(step), UInt64(epoch), 0x4D42)
        return DataCursor.shuffled(count: groups, seed: seed).flatMap { ($0 * groupSize)..<(($0 + 1) * groupSize) }
    }

    /// What every update of a step shares: the scoring, the advantages (expanded to tokens)
    /// and the critic's old values.
    struct PreparedUpdate {
        let scoring: any UpdateScoring
        let advantages: Tensor
        let returns: Tensor?
        let oldValues: Tensor?
        let metrics: [String: Double]

        /// The same update with its rows taken in the order `rows`.
        func reordered(_ rows: [Int]) throws -> PreparedUpdate {
            let index = try Tensor(rows.map(Int64.init), device: advantages.device)
            return PreparedUpdate(scoring: try scoring.reordered(rows), advantages: try advantages.indexSelect(dim: 0, index: index),
                                  returns: try returns?.indexSelect(dim: 0, index: index),
                                  oldValues: try oldValues?.indexSelect(dim: 0, index: index), metrics: metrics)
        }
    }

    func prepareUpdate(_ kept: GeneratedBatch) throws -> PreparedUpdate {
        let device = policy.model.device
        let made = try makeScoring(kept)
        let scoring = made.scoring
        let mask = scoring.mask
        let width = mask.size(1)
        let oldValues: Tensor? = try withNoGrad { try values(scoring, rows: 0..<kept.count, pass: nil) }
        let rollout = kept.rollout(maxNewTokens: configuration.maxNewTokens)
        let rewardsTensor = try Tensor(kept.rewards.map(Float.init), device: device)
        let firstOld = try scoring.oldLogProbs(iteration: 0) ?? Tensor.zeros([kept.count, width], device: device)
        let result = try algorithm.advantages(AdvantageInputs(rollout: rollout, rewards: rewardsTensor, mask: mask,
                                                              oldLogProbs: firstOld, refLogProbs: scoring.referenceLogProbs(iteration: 0),
                                                              values: oldValues))
        let advantages = result.advantages.rank == 1
            ? try result.advantages.unsqueeze(1).expand([kept.count, width]) * mask : result.advantages
        return PreparedUpdate(scoring: scoring, advantages: advantages, returns: result.returns, oldValues: oldValues,
                              metrics: made.metrics)
    }

    /// The critic's values [rows, T] (nil without a critic): from its own backbone, or from the
    /// policy's states in `pass` (a pass of their own when there is none).
    func values(_ scoring: any UpdateScoring, rows: Range<Int>, pass: ScoredPass?) throws -> Tensor? {
        guard let critic else { return nil }
        if let criticBackbone { return try critic(scoring.states(of: criticBackbone, rows: rows)) }
        let states = try pass?.hidden ?? scoring.pass(iteration: 0, rows: rows, entropy: false, entropyGradient: false, hidden: true).hidden!
        return try critic(states)
    }

    /// One micro-batch's loss, backpropagated (gradients add up over micro-batches); its
    /// token-weighted metrics are added to `sums`. nil when the loss is not finite.
    func accumulate(_ prepared: PreparedUpdate, rows: Range<Int>, iteration: Int, stepTokens: Double, stepSequences: Double,
                    into sums: inout [String: Double]) throws -> Double? {
        let scoring = prepared.scoring
        func cut(_ t: Tensor?) throws -> Tensor? { try t?.slice(dim: 0, start: rows.lowerBound, end: rows.upperBound) }
        // The forward pass under autocast when asked (mixed precision); backward runs outside it.
        let (pass, output) = try withAutocast(configuration.autocast, device: policy.model.device) {
            let pass = try scoring.pass(iteration: iteration, rows: rows, entropy: true,
                                        entropyGradient: requirements.needsEntropy || stability.entropyBonus > 0,
                                        hidden: critic != nil && criticBackbone == nil)
            // On-policy (one update of one mini-batch per batch) the ratio is exactly 1, as in TRL and
            // verl: old := sg(current). The sampler's log-probs differ from the training pass by
            // rounding, and by the adapters' dropout, which would otherwise clip at random.
            let old = updatesPerBatch == 1 ? nil : try cut(scoring.oldLogProbs(iteration: iteration))
            let output = try algorithm.loss(LossInputs(
                logProbs: pass.logProbs, oldLogProbs: old ?? pass.logProbs.detached(),
                refLogProbs: cut(scoring.referenceLogProbs(iteration: iteration)),
                advantages: cut(prepared.advantages)!, mask: pass.mask, entropy: pass.entropy,
                values: try values(scoring, rows: rows, pass: pass), oldValues: cut(prepared.oldValues), returns: cut(prepared.returns),
                stepTokens: stepTokens, stepSequences: stepSequences, maxNewTokens: configuration.maxNewTokens))
            return (pass, output)
        }
        let lossValue = try output.loss.item()
        guard lossValue.isFinite else { return nil }
        var loss = output.loss
        if let entropy = pass.entropy {
            let entropySum = try (entropy * pass.mask).sum()
            sums["entropy_trainer", default: 0] += try entropySum.item()
            // The entropy floor's bonus, token-mean over the step like the losses it joins.
            if stability.entropyBonus > 0 { loss = try loss - entropySum * (stability.entropyBonus / max(stepTokens, 1)) }
        }
        try loss.backward()
        let tokens = try pass.mask.sum().item()
        sums["weight", default: 0] += tokens
        for (name, value) in output.metrics { sums[name, default: 0] += value * tokens }
        return lossValue
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
