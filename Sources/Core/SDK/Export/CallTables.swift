import Engine
import RLRunABI

// The C call tables of each kind: trampolines from the ABI into the Swift protocols. Each reads
// the borrowed C input, calls the plugin object, and writes the outputs the host allocated.

private func strings(_ pointer: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int) -> [String?] {
    (0..<count).map { i in pointer?[i].map { String(cString: $0) } }
}

private func array<T>(_ pointer: UnsafePointer<T>?, _ count: Int) -> [T]? {
    pointer.map { Array(UnsafeBufferPointer(start: $0, count: count)) }
}

private func optionalNumber(_ value: Double) -> Double? { value.isNaN ? nil : value }

func callTable(for kind: PluginKind) -> UnsafeRawPointer {
    switch kind {
    case .reward: UnsafeRawPointer(allocate(rewardCalls))
    case .dataset: UnsafeRawPointer(allocate(datasetCalls))
    case .masking: UnsafeRawPointer(allocate(maskingCalls))
    case .algorithm: UnsafeRawPointer(allocate(algorithmCalls))
    }
}

private func allocate<T>(_ value: T) -> UnsafeMutablePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
    pointer.initialize(to: value)
    return pointer
}

// MARK: Reward

private let rewardCalls = rlrun_reward_calls(score: { instance, batch, rewards, components, error in
    guarded(error) {
        let box = InstanceBox.from(instance)
        box.releaseOutputs()
        guard let batch = batch?.pointee, let rewards else { throw PluginError(.input, "score called without a batch") }
        let n = Int(batch.count)
        let input = RewardBatch(
            prompts: strings(batch.prompts, n).map { $0 ?? "" },
            completions: strings(batch.completions, n).map { $0 ?? "" },
            references: strings(batch.references, n),
            metadata: strings(batch.metadata, n),
            completionTokens: array(batch.completion_tokens, n)?.map(Int.init),
            truncated: array(batch.truncated, n)?.map { $0 != 0 })
        let scores = try (box.object as! any RewardFunction).score(input)
        guard scores.rewards.count == n else {
            throw PluginError(.failed, "returned \(scores.rewards.count) rewards for \(n) completions; score must return one reward per completion, in batch order")
        }
        for (name, component) in scores.components where component.count != n {
            throw PluginError(.failed, "component '\(name)' has \(component.count) values for \(n) completions; give every component one value per completion")
        }
        for i in 0..<n { rewards[i] = scores.rewards[i] }
        components?.pointee = scores.components.isEmpty ? nil : box.keep(scores.componentsJSON.jsonText)
    }
})

// MARK: Dataset

private let datasetCalls = rlrun_dataset_calls(
    splits: { instance, splits, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            box.releaseOutputs()
            let names = (box.object as! any Dataset).splits
            splits?.pointee = box.keep(JSONValue.array(names.map { .string($0) }).jsonText)
        }
    },
    size: { instance, split, count, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            count?.pointee = UInt64(try (box.object as! any Dataset).count(split: split.map { String(cString: $0) } ?? "train"))
        }
    },
    item: { instance, split, index, item, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            box.releaseOutputs()
            let value = try (box.object as! any Dataset).item(split: split.map { String(cString: $0) } ?? "train",
                                                               index: Int(index))
            item?.pointee = rlrun_dataset_item(prompt: box.keep(value.prompt), system: box.keep(value.system),
                                               reference: box.keep(value.reference), metadata: box.keep(value.metadata))
        }
    })

// MARK: Masking

private let maskingCalls = rlrun_masking_calls(choose: { instance, request, mask, rate, error in
    guarded(error) {
        let box = InstanceBox.from(instance)
        guard let request = request?.pointee, let mask else { throw PluginError(.input, "choose called without a request") }
        let n = Int(request.batch) * Int(request.length)
        let input = MaskingRequest(
            batch: Int(request.batch), length: Int(request.length),
            tokens: array(request.tokens, n) ?? Array(repeating: 0, count: n),
            eligible: array(request.eligible, n)?.map { $0 != 0 } ?? Array(repeating: true, count: n),
            confidence: array(request.confidence, n), attention: array(request.attention, n),
            progress: request.progress, recentReward: optionalNumber(request.recent_reward),
            recentAccuracy: optionalNumber(request.recent_accuracy), seed: request.seed)
        let choice = try (box.object as! any MaskingStrategy).choose(input)
        guard choice.mask.count == n else {
            throw PluginError(.failed, "returned a mask of \(choice.mask.count) positions for \(n)")
        }
        for i in 0..<n { mask[i] = choice.mask[i] && input.eligible[i] ? 1 : 0 }
        rate?.pointee = choice.rate
    }
})

// MARK: Algorithm

private func rollout(_ pointer: UnsafePointer<rlrun_rollout>?) throws -> Rollout {
    guard let r = pointer?.pointee else { throw PluginError(.input, "missing rollout") }
    let n = Int(r.count)
    return Rollout(groupSize: Int(r.group_size), maxNewTokens: Int(r.max_new_tokens),
                   completionTokens: array(r.completion_tokens, n)?.map(Int.init) ?? Array(repeating: 0, count: n),
                   truncated: array(r.truncated, n)?.map { $0 != 0 } ?? Array(repeating: false, count: n),
                   correct: array(r.correct, n)?.map(optionalNumber) ?? Array(repeating: nil, count: n))
}

private func tensor(_ handle: OpaquePointer?) throws -> Tensor? { try handle.map { try Tensor(retaining: $0) } }

private func required(_ handle: OpaquePointer?, _ name: String) throws -> Tensor {
    guard let tensor = try tensor(handle) else { throw PluginError(.input, "missing tensor '\(name)'") }
    return tensor
}

private let algorithmCalls = rlrun_algorithm_calls(
    requirements: { instance, out, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            box.releaseOutputs()
            let r = (box.object as! any Algorithm).requirements
            out?.pointee = rlrun_algorithm_requirements(
                policy_kind: r.policy.rawValue, needs_reference: r.needsReference ? 1 : 0,
                needs_critic: r.needsCritic ? 1 : 0, needs_entropy: r.needsEntropy ? 1 : 0,
                zero_advantage_inert: r.zeroAdvantageIsInert ? 1 : 0,
                group_size: UInt32(r.groupSize), mu: UInt32(r.mu), max_generation_rounds: UInt32(r.maxGenerationRounds),
                trainer_defaults_json: r.trainerDefaults.isEmpty ? nil : box.keep(JSONValue.object(r.trainerDefaults).jsonText))
        }
    },
    shape_rewards: { instance, rolloutPointer, rewards, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            let info = try rollout(rolloutPointer)
            guard let rewards else { throw PluginError(.input, "missing rewards") }
            var values = Array(UnsafeBufferPointer(start: rewards, count: info.count))
            try (box.object as! any Algorithm).shapeRewards(&values, rollout: info)
            guard values.count == info.count else { throw PluginError(.failed, "shapeRewards changed the number of rewards") }
            for i in 0..<info.count { rewards[i] = values[i] }
        }
    },
    keep_groups: { instance, rolloutPointer, rewards, keep, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            let info = try rollout(rolloutPointer)
            guard let rewards, let keep else { throw PluginError(.input, "missing rewards or keep flags") }
            let kept = try (box.object as! any Algorithm).keepGroups(
                rewards: Array(UnsafeBufferPointer(start: rewards, count: info.count)), rollout: info)
            guard kept.count == info.groupCount else {
                throw PluginError(.failed, "keepGroups returned \(kept.count) flags for \(info.groupCount) groups")
            }
            for g in 0..<info.groupCount { keep[g] = kept[g] ? 1 : 0 }
        }
    },
    advantages: { instance, inputs, outputs, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            guard let i = inputs?.pointee, let outputs else { throw PluginError(.input, "missing advantage inputs") }
            let result = try (box.object as! any Algorithm).advantages(AdvantageInputs(
                rollout: rollout(i.rollout), rewards: required(i.rewards, "rewards"), mask: required(i.mask, "mask"),
                oldLogProbs: required(i.old_logprobs, "old_logprobs"), refLogProbs: tensor(i.ref_logprobs),
                values: tensor(i.values)))
            outputs.pointee = rlrun_advantage_outputs(advantages: try result.advantages.retainedHandle(),
                                                      returns: try result.returns?.retainedHandle())
        }
    },
    loss: { instance, inputs, outputs, error in
        guarded(error) {
            let box = InstanceBox.from(instance)
            box.releaseOutputs()
            guard let i = inputs?.pointee, let outputs else { throw PluginError(.input, "missing loss inputs") }
            let result = try (box.object as! any Algorithm).loss(LossInputs(
                logProbs: required(i.logprobs, "logprobs"), oldLogProbs: required(i.old_logprobs, "old_logprobs"),
                refLogProbs: tensor(i.ref_logprobs), advantages: required(i.advantages, "advantages"),
                mask: required(i.mask, "mask"), entropy: tensor(i.entropy), values: tensor(i.values),
                oldValues: tensor(i.old_values), returns: tensor(i.returns), stepTokens: i.step_tokens,
                stepSequences: i.step_sequences, maxNewTokens: Int(i.max_new_tokens)))
            guard result.metrics.count <= Int(RLRUN_MAX_METRICS) else {
                throw PluginError(.failed, "at most \(RLRUN_MAX_METRICS) metrics per loss call, got \(result.metrics.count)")
            }
            outputs.pointee.loss = try result.loss.retainedHandle()
            outputs.pointee.metric_count = UInt32(result.metrics.count)
            withUnsafeMutableBytes(of: &outputs.pointee.metrics) { raw in
                let metrics = raw.bindMemory(to: rlrun_metric.self)
                for (k, metric) in result.metrics.enumerated() {
                    metrics[k] = rlrun_metric(name: box.keep(metric.name), value: metric.value)
                }
            }
        }
    })
