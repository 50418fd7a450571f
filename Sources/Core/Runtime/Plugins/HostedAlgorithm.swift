import Engine
import RLRunABI
import RLRunSDK

/// An algorithm plugin loaded through the C ABI, seen as an `Algorithm`. Tensors cross as
/// handles of the host's engine; results are checked for shape and finiteness.
public final class HostedAlgorithm: Algorithm, @unchecked Sendable {
    public let instance: PluginInstance
    public let requirements: AlgorithmRequirements

    init(_ instance: PluginInstance) throws {
        self.instance = instance
        var r = rlrun_algorithm_requirements()
        let calls = instance.calls.load(as: rlrun_algorithm_calls.self)
        try instance.call("requirements") { calls.requirements!(instance.handle, &r, $0) }
        var defaults: [String: JSONValue] = [:]
        if let text = r.trainer_defaults_json {
            guard let object = (try? JSONValue(parsing: String(cString: text)))?.objectValue else {
                throw PluginCallError(plugin: instance.descriptor.label, call: "requirements", message: "trainer_defaults_json must be a JSON object")
            }
            defaults = object
        }
        guard let policy = PolicyKind(rawValue: r.policy_kind), r.group_size > 0, r.mu > 0 else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "requirements",
                                  message: "needs a known policy kind, group_size > 0 and mu > 0 (got \(r.policy_kind), \(r.group_size), \(r.mu))")
        }
        requirements = AlgorithmRequirements(
            policy: policy, needsReference: r.needs_reference != 0, needsCritic: r.needs_critic != 0,
            needsEntropy: r.needs_entropy != 0, zeroAdvantageIsInert: r.zero_advantage_inert != 0, groupSize: Int(r.group_size), mu: Int(r.mu),
            maxGenerationRounds: Int(r.max_generation_rounds), trainerDefaults: defaults)
    }

    private var calls: rlrun_algorithm_calls { instance.calls.load(as: rlrun_algorithm_calls.self) }

    private func fail(_ call: String, _ message: String) -> PluginCallError {
        PluginCallError(plugin: instance.descriptor.label, call: call, message: message)
    }

    /// Lends `rollout` to C; its arrays (and `rewards`, when given) must have one entry per
    /// completion, since the plugin reads (and writes) that many.
    private func withRollout<R>(_ rollout: Rollout, rewards: Int? = nil, call: String,
                                _ body: (UnsafePointer<rlrun_rollout>) throws -> R) throws -> R {
        let counts = [rollout.truncated.count, rollout.correct.count] + (rewards.map { [$0] } ?? [])
        guard counts.allSatisfy({ $0 == rollout.count }) else {
            throw fail(call, "a rollout of \(rollout.count) completions came with \(counts) entries in truncated, correct (and rewards): each needs one per completion")
        }
        guard rollout.groupSize > 0, rollout.count % rollout.groupSize == 0 else {
            throw fail(call, "\(rollout.count) completions do not split into groups of \(rollout.groupSize)")
        }
        let tokens = rollout.completionTokens.map { UInt32(clamping: $0) }
        let truncated = rollout.truncated.map { UInt8($0 ? 1 : 0) }
        let correct = rollout.correct.map { $0 ?? .nan }
        return try tokens.withUnsafeBufferPointer { tokens in
            try truncated.withUnsafeBufferPointer { truncated in
                try correct.withUnsafeBufferPointer { correct in
                    var c = rlrun_rollout(count: UInt32(rollout.count), group_size: UInt32(rollout.groupSize),
                                          max_new_tokens: UInt32(rollout.maxNewTokens), completion_tokens: tokens.baseAddress,
                                          truncated: truncated.baseAddress, correct: correct.baseAddress)
                    return try body(&c)
                }
            }
        }
    }

    public func shapeRewards(_ rewards: inout [Double], rollout: Rollout) throws {
        guard let shape = calls.shape_rewards else { return }
        try withRollout(rollout, rewards: rewards.count, call: "shape_rewards") { r in try instance.call("shape_rewards") { shape(instance.handle, r, &rewards, $0) } }
        if let bad = rewards.firstIndex(where: { !$0.isFinite }) {
            throw fail("shape_rewards", "reward \(bad) became \(rewards[bad])")
        }
    }

    public func keepGroups(rewards: [Double], rollout: Rollout) throws -> [Bool] {
        guard let keep = calls.keep_groups else { return Array(repeating: true, count: rollout.groupCount) }
        var flags = [UInt8](repeating: 1, count: rollout.groupCount)
        try withRollout(rollout, rewards: rewards.count, call: "keep_groups") { r in try instance.call("keep_groups") { keep(instance.handle, r, rewards, &flags, $0) } }
        return flags.map { $0 != 0 }
    }

    public func advantages(_ inputs: AdvantageInputs) throws -> AdvantageOutputs {
        var out = rlrun_advantage_outputs()
        try withRollout(inputs.rollout, call: "advantages") { r in
            try withExtendedLifetime(inputs) {
                var c = rlrun_advantage_inputs(
                    rollout: r, rewards: inputs.rewards.borrowedHandle, mask: inputs.mask.borrowedHandle,
                    old_logprobs: inputs.oldLogProbs.borrowedHandle, ref_logprobs: inputs.refLogProbs?.borrowedHandle,
                    values: inputs.values?.borrowedHandle)
                try instance.call("advantages") { calls.advantages!(instance.handle, &c, &out, $0) }
            }
        }
        guard let advantagesHandle = out.advantages else { throw fail("advantages", "returned no advantages tensor") }
        let advantages = Tensor(adopting: advantagesHandle)
        let returns = out.returns.map { Tensor(adopting: $0) }
        let n = inputs.rollout.count
        guard advantages.shape.first == n, advantages.rank <= 2 else {
            throw fail("advantages", "advantages have shape \(advantages.shape); expected [\(n)] or [\(n), T]")
        }
        guard try advantages.isFinite().all().item() != 0 else { throw fail("advantages", "advantages contain NaN or infinity") }
        return AdvantageOutputs(advantages: advantages, returns: returns)
    }

    public func loss(_ inputs: LossInputs) throws -> LossOutputs {
        var out = rlrun_loss_outputs()
        try withExtendedLifetime(inputs) {
            var c = rlrun_loss_inputs(
                logprobs: inputs.logProbs.borrowedHandle, old_logprobs: inputs.oldLogProbs.borrowedHandle,
                ref_logprobs: inputs.refLogProbs?.borrowedHandle, advantages: inputs.advantages.borrowedHandle, mask: inputs.mask.borrowedHandle,
                entropy: inputs.entropy?.borrowedHandle, values: inputs.values?.borrowedHandle, old_values: inputs.oldValues?.borrowedHandle,
                returns: inputs.returns?.borrowedHandle, step_tokens: inputs.stepTokens, step_sequences: inputs.stepSequences,
                max_new_tokens: UInt32(inputs.maxNewTokens))
            try instance.call("loss") { calls.loss!(instance.handle, &c, &out, $0) }
        }
        guard let lossHandle = out.loss else { throw fail("loss", "returned no loss tensor") }
        let loss = Tensor(adopting: lossHandle)
        guard loss.count == 1 else { throw fail("loss", "loss has shape \(loss.shape); it must be a scalar") }
        guard try loss.isFinite().all().item() != 0 else { throw fail("loss", "loss is \(try loss.item())") }
        let metrics: [(name: String, value: Double)] = withUnsafeBytes(of: out.metrics) { raw in
            let all = raw.bindMemory(to: rlrun_metric.self)
            return (0..<min(Int(out.metric_count), all.count)).map { i in
                (all[i].name.map { String(cString: $0) } ?? "metric\(i)", all[i].value)
            }
        }
        return LossOutputs(loss: loss, metrics: metrics)
    }
}
