import Foundation
@testable import PPOAlgorithm
import PolicyObjectives
import RLRunSDK
import Testing

/// PPO's advantages by a plain loop over arrays: token rewards, GAE, Bessel-whitening over the
/// valid tokens. Completions are contiguous prefixes of `lengths[i]` tokens.
private func referencePPO(scores: [Double], old: [Double], ref: [Double], values: [Double], lengths: [Int], width: Int,
                          beta: Double, gamma: Double, lambda: Double, whiten: Bool) -> (advantages: [Double], returns: [Double]) {
    var advantages = [Double](repeating: 0, count: old.count)
    var returns = advantages
    for (i, length) in lengths.enumerated() where length > 0 {
        var next = (value: 0.0, advantage: 0.0)
        for t in (0..<length).reversed() {
            let k = i * width + t
            let reward = -beta * (old[k] - ref[k]) + (t == length - 1 ? scores[i] : 0)
            let advantage = reward + gamma * next.value - values[k] + gamma * lambda * next.advantage
            advantages[k] = advantage
            returns[k] = advantage + values[k]
            next = (values[k], advantage)
        }
    }
    guard whiten else { return (advantages, returns) }
    let valid = lengths.enumerated().flatMap { i, n in (0..<n).map { i * width + $0 } }
    let mean = valid.map { advantages[$0] }.reduce(0, +) / Double(valid.count)
    let variance = valid.map { (advantages[$0] - mean) * (advantages[$0] - mean) }.reduce(0, +) / Double(valid.count - 1)
    var whitened = [Double](repeating: 0, count: old.count)
    for k in valid { whitened[k] = (advantages[k] - mean) / (variance + 1e-8).squareRoot() }
    return (whitened, returns)
}

@Suite struct PPOTests {
    let lengths = [5, 2, 0, 4]
    let scores: [Double] = [1, -0.5, 3, 0.25]
    let old = pseudoRandom(20, seed: 11, in: -3 ... -0.1)
    let ref = pseudoRandom(20, seed: 12, in: -3 ... -0.1)
    let values = pseudoRandom(20, seed: 13, in: -1...1)

    func inputs() throws -> AdvantageInputs {
        let mask = lengths.flatMap { n in (0..<5).map { $0 < n ? 1.0 : 0.0 } }
        return AdvantageInputs(rollout: rollout(groupSize: 1, maxNewTokens: 5, lengths: lengths),
                               rewards: try tensor(scores, nil, .float32), mask: try tensor(mask, [4, 5], .float32),
                               oldLogProbs: try tensor(old, [4, 5], .float32), refLogProbs: try tensor(ref, [4, 5], .float32),
                               values: try tensor(values, [4, 5], .float32))
    }

    @Test(arguments: [
        ["kl_in_reward": 0.05] as [String: JSONValue],
        ["kl_in_reward": 0.2, "gamma": 0.9, "lambda": 0.8, "whiten_advantages": false],
        ["kl_in_reward": 0],
    ])
    func advantagesMatchAPlainLoop(given: [String: JSONValue]) throws {
        let ppo = try make(PPO.self, given)
        let out = try ppo.advantages(inputs())
        let expected = referencePPO(scores: scores, old: old.map { Double(Float($0)) }, ref: ref.map { Double(Float($0)) },
                                    values: values.map { Double(Float($0)) }, lengths: lengths, width: 5, beta: ppo.klInReward,
                                    gamma: ppo.gamma, lambda: ppo.lambda, whiten: ppo.whitenAdvantages)
        expectClose(try array(out.advantages), expected.advantages, tolerance: 1e-5, "advantages")
        expectClose(try array(#require(out.returns)), expected.returns, tolerance: 1e-5, "returns")
    }

    @Test func theCriticIsRequired() throws {
        var missing = try inputs()
        missing.values = nil
        #expect(throws: PluginError.self) { try make(PPO.self).advantages(missing) }
        missing = try inputs()
        missing.refLogProbs = nil
        #expect(throws: PluginError.self) { try make(PPO.self).advantages(missing) }
        #expect(try make(PPO.self, ["kl_in_reward": 0]).advantages(missing).returns != nil)
    }

    @Test func lossByHand() throws {
        // ρ = 1, A = [0.5, −1]: policy loss = (−0.5 + 1) / 2 = 0.25.
        // Value, ε_v = 0.2: t0 max((1 − 1.5)², (0.5 + 0.2 − 1.5)²) = 0.64 (clipped larger); t1 max(1, (2.1 − 0.1 − 1)²) = 1.
        // L_v = ½ (0.64 + 1) / 2 = 0.41; L = 0.25 + 0.1 · 0.41.
        let logp = try tensor([-1, -2], [1, 2])
        let out = try make(PPO.self, ["kl_in_reward": 0]).loss(LossInputs(
            logProbs: logp, oldLogProbs: logp, advantages: tensor([0.5, -1], [1, 2]), mask: tensor([1, 1], [1, 2]),
            values: tensor([1, 2], [1, 2]), oldValues: tensor([0.5, 2.1], [1, 2]), returns: tensor([1.5, 1], [1, 2]),
            stepTokens: 2, stepSequences: 1, maxNewTokens: 2))
        expectClose(try out.loss.item(), 0.25 + 0.1 * 0.41)
        expectClose(try metric(out.metrics, "policy_loss"), 0.25)
        expectClose(try metric(out.metrics, "value_loss"), 0.41)
        expectClose(try metric(out.metrics, "value_clip_fraction"), 0.5)
        // R − V = [0.5, −1]: Bessel variance 1.125; Var(R) = 0.125.
        expectClose(try metric(out.metrics, "explained_variance"), 1 - 1.125 / (0.125 + 1e-5))
    }

    @Test func valueClipNeedsTheRolloutValuesUnlessOff() throws {
        let logp = try tensor([-1, -2], [1, 2])
        var inputs = LossInputs(logProbs: logp, oldLogProbs: logp, advantages: try tensor([0.5, -1], [1, 2]),
                                mask: try tensor([1, 1], [1, 2]), values: try tensor([1, 2], [1, 2]),
                                returns: try tensor([1.5, 1], [1, 2]), stepTokens: 2, stepSequences: 1, maxNewTokens: 2)
        #expect(throws: PluginError.self) { try make(PPO.self, ["kl_in_reward": 0]).loss(inputs) }
        let unclipped = try make(PPO.self, ["kl_in_reward": 0, "value_clip": 0]).loss(inputs)
        // ½ (0.25 + 1) / 2
        expectClose(try metric(unclipped.metrics, "value_loss"), 0.3125)
        inputs.returns = nil
        #expect(throws: PluginError.self) { try make(PPO.self, ["value_clip": 0]).loss(inputs) }
    }

    @Test func missingEOSPenaltyLowersTruncatedScores() throws {
        var rewards: [Double] = [1, 1]
        let r = rollout(groupSize: 1, lengths: [3, 16], truncated: [false, true])
        try make(PPO.self, ["missing_eos_penalty": 0.5]).shapeRewards(&rewards, rollout: r)
        #expect(rewards == [1, 0.5])
    }
}
