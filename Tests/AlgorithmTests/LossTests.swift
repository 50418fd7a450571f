import DAPOAlgorithm
import DrGRPOAlgorithm
import Foundation
import GRPOAlgorithm
import PPOAlgorithm
import PolicyObjectives
import RLRunSDK
import Testing

/// Two sequences of two tokens: ρ = 1.5, 0.9 with A = 1, and ρ = 0.5 with A = −1 (its second
/// token is padding holding garbage).
private func clippedCase(ref: Tensor? = nil, entropy: Tensor? = nil, dtype: DType = .float32) throws -> LossInputs {
    let old = try tensor([-1, -2, -0.5, 0], [2, 2], dtype)
    let ratios = [1.5, 0.9, 0.5, 1]
    let logp = try tensor(zip([-1, -2, -0.5, 40], ratios).map { $0 + log($1) }, [2, 2], dtype)
    return LossInputs(logProbs: logp, oldLogProbs: old, refLogProbs: ref, advantages: try tensor([1, 1, -1, 0], [2, 2], dtype),
                      mask: try tensor([1, 1, 1, 0], [2, 2], .float32), entropy: entropy, stepTokens: 3, stepSequences: 2,
                      maxNewTokens: 4)
}

@Suite struct LossTests {
    @Test func grpoLossAndMetricsByHand() throws {
        let out = try make(GRPO.self).loss(clippedCase())
        // Token losses: −min(1.5, 1.2) = −1.2, −0.9; then max(0.5, 0.8) = 0.8.
        // seq-mean-token-mean: ((−1.2 − 0.9)/2 + 0.8/1) / 2 = −0.125
        expectClose(try out.loss.item(), -0.125, tolerance: 1e-6)
        #expect(out.metrics.map(\.name) == ["policy_loss", "clip_fraction_low", "clip_fraction_high", "ratio_mean", "ratio_max"])
        expectClose(try metric(out.metrics, "policy_loss"), -0.125, tolerance: 1e-6)
        expectClose(try metric(out.metrics, "clip_fraction_low"), 1.0 / 3)
        expectClose(try metric(out.metrics, "clip_fraction_high"), 1.0 / 3)
        expectClose(try metric(out.metrics, "ratio_mean"), (1.5 + 0.9 + 0.5) / 3, tolerance: 1e-6)
        expectClose(try metric(out.metrics, "ratio_max"), 1.5, tolerance: 1e-6)
    }

    @Test func eachPresetAggregatesItsOwnWay() throws {
        let inputs = try clippedCase()
        // DAPO: token-mean (−1.2 − 0.9 + 0.8) / 3 with ε_high 0.28: −min(1.5, 1.28) = −1.28.
        expectClose(try make(DAPO.self).loss(inputs).loss.item(), (-1.28 - 0.9 + 0.8) / 3, tolerance: 1e-6)
        // Dr. GRPO: Σ / (sequences · max new tokens) = (−1.2 − 0.9 + 0.8) / (2 · 4).
        expectClose(try make(DrGRPO.self).loss(inputs).loss.item(), (-1.2 - 0.9 + 0.8) / 8, tolerance: 1e-6)
    }

    @Test func klAndEntropyTermsJoinThePerTokenLoss() throws {
        let ref = try tensor([-1.2, -2, -0.1, 0], [2, 2], .float32)
        let entropy = try tensor([0.5, 1.5, 2, 100], [2, 2], .float32)
        let grpo = try make(GRPO.self, ["kl_weight": 0.04, "entropy_coefficient": 0.01, "loss_aggregation": "token-mean"])
        let out = try grpo.loss(clippedCase(ref: ref, entropy: entropy))
        // k3 per valid token with Δ = ref − logp, logp = old + log ρ.
        let logp = [-1 + log(1.5), -2 + log(0.9), -0.5 + log(0.5)]
        let kl = zip([-1.2, -2, -0.1], logp).map { ref, logp in exp(ref - logp) - (ref - logp) - 1 }
        let tokens = zip(zip([-1.2, -0.9, 0.8], kl), [0.5, 1.5, 2]).map { $0.0 + 0.04 * $0.1 - 0.01 * $1 }
        expectClose(try out.loss.item(), tokens.reduce(0, +) / 3, tolerance: 1e-6)
        expectClose(try metric(out.metrics, "kl"), kl.reduce(0, +) / 3, tolerance: 1e-6)
        expectClose(try metric(out.metrics, "entropy"), 4.0 / 3, tolerance: 1e-6)
        expectClose(try metric(out.metrics, "policy_loss"), (-1.2 - 0.9 + 0.8) / 3, tolerance: 1e-6)
    }

    @Test(arguments: [
        ("grpo", ["kl_weight": 0.04, "entropy_coefficient": 0.01]), ("drgrpo", [:]), ("dapo", ["clip_ratio_c": 1.3]),
        ("ppo", ["loss_aggregation": "seq-mean-token-mean"]),
    ] as [(String, [String: JSONValue])])
    func microBatchLossesOfEveryPluginSumToTheStepLoss(plugin: String, given: [String: JSONValue]) throws {
        let algorithm: any Algorithm = switch plugin {
        case "grpo": try make(GRPO.self, given)
        case "drgrpo": try make(DrGRPO.self, given)
        case "dapo": try make(DAPO.self, given)
        default: try make(PPO.self, given)
        }
        let batch = try RandomLossBatch()
        let whole = try algorithm.loss(batch.inputs()).loss.item()
        let parts = try [0..<1, 1..<3].map { try algorithm.loss(batch.inputs(rows: $0)).loss.item() }
        expectClose(parts.reduce(0, +), whole, tolerance: 1e-12)
    }

    @Test func missingInputsAreNamed() throws {
        #expect(throws: PluginError.self) { try make(GRPO.self, ["kl_weight": 0.04]).loss(clippedCase()) }
        #expect(throws: PluginError.self) { try make(GRPO.self, ["entropy_coefficient": 0.01]).loss(clippedCase()) }
    }

    @Test func dualClipFractionIsReportedWhenOn() throws {
        let out = try make(DAPO.self, ["clip_ratio_c": 1.2]).loss(clippedCase())
        // A = −1, ρ = 0.5: loss max(0.5, 0.8) = 0.8 is under −c·A = 1.2: no dual clip.
        #expect(try metric(out.metrics, "dual_clip_fraction") == 0)
    }

    @Test func fullyMaskedRowsAndSingleTokenCompletions() throws {
        // Row 0 has one token, row 1 none (its log-probs are infinite), row 2 one token.
        let logp = try tensor([-1, 0, -.infinity, -.infinity, -2, 0], [3, 2])
        let old = try tensor([-1.1, 0, 0, 0, -2, 0], [3, 2])
        let mask = try tensor([1, 0, 0, 0, 1, 0], [3, 2], .float32)
        let rollout = rollout(groupSize: 3, maxNewTokens: 2, lengths: [1, 0, 1])
        for plugin: any Algorithm in [try make(GRPO.self), try make(DrGRPO.self), try make(DAPO.self)] {
            let a = try plugin.advantages(AdvantageInputs(rollout: rollout, rewards: tensor([1, 0, 0], nil, .float32),
                                                          mask: mask, oldLogProbs: old.to(.float32)))
            #expect(try array(a.advantages.isFinite().to(.float64)).allSatisfy { $0 == 1 })
            #expect(try array(a.advantages)[2...3] == [0, 0])
            try logp.requiringGrad()
            let out = try plugin.loss(LossInputs(logProbs: logp, oldLogProbs: old, advantages: a.advantages, mask: mask,
                                                 stepTokens: 2, stepSequences: 2, maxNewTokens: 2))
            try out.loss.backward()
            #expect(try out.loss.isFinite().item() == 1)
            let grad = try array(#require(logp.grad))
            #expect(grad.allSatisfy(\.isFinite) && grad[1...3] == [0, 0, 0])
            #expect(out.metrics.allSatisfy { $0.value.isFinite })
            try logp.zeroGrad()
        }
    }
}
