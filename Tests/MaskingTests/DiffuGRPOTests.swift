import DiffuGRPOAlgorithm
import Foundation
import RLRunSDK
import Testing

/// Float64 tensor of `values` with `shape`.
private func f64(_ values: [Double], _ shape: [Int]) throws -> Tensor { try Tensor(values, shape: shape) }

private func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-9, _ what: String = "",
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "\(what): \(actual) vs \(expected)", sourceLocation: sourceLocation)
}

private func metric(_ outputs: LossOutputs, _ name: String) -> Double? { outputs.metrics.first { $0.name == name }?.value }

private func k3(_ delta: Double) -> Double { exp(delta) - delta - 1 }

/// The hand-computed micro-batch: 2 sequences × 3 tokens, the last token of row 1 is padding.
/// Ratios ρ and KL differences Δ = logp_ref − logp are chosen per token; old and ref
/// log-probs are derived from them, so every term below can be checked by hand (ε = 0.5):
///
///     row 0, A = +1:   ρ = 2.0 → clipped to 1.5, ℓ = −1.5      (high clip)
///                      ρ = 1.2 → ℓ = −1.2
///                      ρ = 0.3 → min(0.3, 0.5) = 0.3, ℓ = −0.3 (no clip for A > 0 below)
///     row 1, A = −0.5: ρ = 0.4 → min(−0.2, −0.25) = −0.25, ℓ = 0.25 (low clip)
///                      ρ = 1.8 → min(−0.9, −0.75) = −0.9, ℓ = 0.9
private struct HandExample {
    let logProbs: [Double] = [-1.0, -2.0, -0.5, -1.5, -0.7, -3.0]
    let ratios: [Double] = [2.0, 1.2, 0.3, 0.4, 1.8, 1.0]
    let deltas: [Double] = [0.1, -0.2, 0.3, 0.0, 0.5, 0.0]
    let mask: [Double] = [1, 1, 1, 1, 1, 0]
    let advantages: [Double] = [1.0, -0.5]
    let surrogate: [Double] = [-1.5, -1.2, -0.3, 0.25, 0.9]
    let stepTokens = 8.0

    var old: [Double] { zip(logProbs, ratios).map { $0 - log($1) } }
    var ref: [Double] { zip(logProbs, deltas).map { $0 + $1 } }
    var kl: [Double] { deltas.prefix(5).map(k3) }

    func inputs(logProbs: Tensor, withReference: Bool = true, stepTokens: Double? = nil) throws -> LossInputs {
        LossInputs(logProbs: logProbs, oldLogProbs: try f64(old, [2, 3]),
                   refLogProbs: withReference ? try f64(ref, [2, 3]) : nil,
                   advantages: try f64(advantages, [2]), mask: try f64(mask, [2, 3]),
                   stepTokens: stepTokens ?? self.stepTokens, stepSequences: 4, maxNewTokens: 3)
    }
}

@Suite("diffu-grpo")
struct DiffuGRPOTests {
    func algorithm(_ options: [String: JSONValue] = [:]) throws -> DiffuGRPO { try makePlugin(DiffuGRPO.self, options) }

    @Test("requirements: masked diffusion, d1's G 6 and mu 12, reference only when beta > 0, d1's trainer settings")
    func requirements() throws {
        let r = try algorithm().requirements
        #expect(r.policy == .maskedDiffusion)
        #expect(r.needsReference && !r.needsCritic && !r.needsEntropy)
        #expect(r.groupSize == 6 && r.mu == 12 && r.maxGenerationRounds == 0)
        let d = r.trainerDefaults
        #expect(d["max_new_tokens"] == 256 && d["block_length"] == 32 && d["diffusion_steps"] == 128)
        #expect(d["temperature"] == 0.9 && d["p_mask"] == 0.15 && d["random_masking"] == true)
        #expect(d["remasking"] == "low_confidence" && d["guidance_scale"] == 0)
        #expect(d["learning_rate"] == 3e-6 && d["lr_schedule"] == "constant" && d["warmup_steps"] == 1)
        #expect(d["prompts_per_step"] == 16 && d["micro_batch_size"] == 6 && d["use_lora"] == true)
        #expect(d["beta1"] == 0.9 && d["beta2"] == 0.99 && d["weight_decay"] == 0.1 && d["gradient_clip"] == 0.2)
        #expect(d["lora_r"] == 128 && d["lora_alpha"] == 64 && d["lora_dropout"] == 0.05)
        #expect(!(try algorithm(["kl_weight": 0]).requirements.needsReference))
        #expect(try algorithm(["p_mask": 0.3, "group_size": 8]).requirements.trainerDefaults["p_mask"] == 0.3)
    }

    @Test("inconsistent options are refused")
    func badOptions() {
        #expect(throws: PluginError.self) { try algorithm(["block_length": 30]) }          // 256 % 30 ≠ 0
        #expect(throws: PluginError.self) { try algorithm(["diffusion_steps": 100]) }      // not a multiple of 8 blocks
        #expect(throws: PluginError.self) { try algorithm(["clip_low": 1.5]) }
        #expect(throws: PluginError.self) { try algorithm(["kl_weight": -0.1]) }
        #expect(throws: PluginError.self) { try algorithm(["group_size": 1]) }
        #expect(throws: PluginError.self) { try algorithm(["mu": 0]) }
    }

    func advantages(_ plugin: DiffuGRPO, _ rewards: [Float], groupSize: Int = 6) throws -> [Double] {
        let n = rewards.count
        let rollout = Rollout(groupSize: groupSize, maxNewTokens: 4, completionTokens: Array(repeating: 4, count: n),
                              truncated: Array(repeating: false, count: n), correct: Array(repeating: nil, count: n))
        let inputs = AdvantageInputs(rollout: rollout, rewards: try Tensor(rewards), mask: try Tensor.ones([n, 4]),
                                     oldLogProbs: try Tensor.zeros([n, 4]))
        let out = try plugin.advantages(inputs)
        #expect(out.advantages.shape == [n] && out.returns == nil)
        return try out.advantages.toArray(Double.self)
    }

    @Test("advantages are reward minus group mean, without std division; equal rewards give 0")
    func groupMeanAdvantages() throws {
        let plugin = try algorithm()
        let a = try advantages(plugin, [1, 0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 4, 3, 3, 3, 3, 3, 3])
        expectClose(a, [1.0 / 3, -2.0 / 3, -2.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1, -1, -1, -1, -1, 3, 0, 0, 0, 0, 0, 0],
                    tolerance: 1e-6)
        // The scale of the rewards carries through (no std division).
        expectClose(try advantages(plugin, [10, 0, 0, 0, 0, 0]), [25.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3, -5.0 / 3],
                    tolerance: 1e-6)
        #expect(throws: PluginError.self) { try advantages(plugin, [1, 2, 3, 4, 5]) }
    }

    @Test("reward_scaling group divides by the group's std (Bessel) plus 1e-6")
    func groupStdOption() throws {
        let a = try advantages(try algorithm(["reward_scaling": "group"]), [1, 0, 1, 0], groupSize: 2)
        let std = (0.5 as Double).squareRoot()   // std of {1, 0} with N − 1
        expectClose(a, [0.5 / (std + 1e-6), -0.5 / (std + 1e-6), 0.5 / (std + 1e-6), -0.5 / (std + 1e-6)], tolerance: 1e-6)
    }

    @Test("loss on hand-computed tensors: clipped surrogate at ε = 0.5 plus β·k3, over stepTokens")
    func handComputedLoss() throws {
        let example = HandExample()
        let out = try algorithm().loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3])))
        let expected = zip(example.surrogate, example.kl).map { $0 + 0.04 * $1 }.reduce(0, +) / example.stepTokens
        expectClose([try out.loss.item()], [expected], tolerance: 1e-12, "loss")
        #expect(out.loss.shape == [])

        expectClose([metric(out, "policy_loss") ?? .nan], [example.surrogate.reduce(0, +) / 5], tolerance: 1e-12, "policy_loss")
        expectClose([metric(out, "ratio_mean") ?? .nan], [(2.0 + 1.2 + 0.3 + 0.4 + 1.8) / 5], tolerance: 1e-12, "ratio_mean")
        expectClose([metric(out, "clip_fraction_low") ?? .nan], [0.2], "clip_fraction_low")
        expectClose([metric(out, "clip_fraction_high") ?? .nan], [0.2], "clip_fraction_high")
        expectClose([metric(out, "clip_fraction") ?? .nan], [0.4], "clip_fraction")
        expectClose([metric(out, "kl") ?? .nan], [example.kl.reduce(0, +) / 5], tolerance: 1e-12, "kl")
    }

    @Test("kl_weight 0 leaves the KL out of the loss but still reports it; kl_weight > 0 without reference is an error")
    func klWeight() throws {
        let example = HandExample()
        let noKL = try algorithm(["kl_weight": 0]).loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3])))
        expectClose([try noKL.loss.item()], [example.surrogate.reduce(0, +) / 8], tolerance: 1e-12)
        #expect(metric(noKL, "kl") != nil)
        let withoutReference = try algorithm(["kl_weight": 0]).loss(
            example.inputs(logProbs: try f64(example.logProbs, [2, 3]), withReference: false))
        #expect(metric(withoutReference, "kl") == nil)
        #expect(throws: PluginError.self) {
            try algorithm().loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3]), withReference: false))
        }
    }

    @Test("clip_high widens only the upper clip")
    func upperClip() throws {
        let example = HandExample()
        let out = try algorithm(["kl_weight": 0, "clip_high": 1.5]).loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3])))
        // Token (0, 0): ρ = 2 is inside [0.5, 2.5] now, ℓ = −2; the low clip of token (1, 0) stays.
        expectClose([try out.loss.item()], [(-2.0 - 1.2 - 0.3 + 0.25 + 0.9) / 8], tolerance: 1e-12)
        #expect(metric(out, "clip_fraction_high") == 0)
        #expect(metric(out, "clip_fraction_low") == 0.2)
    }

    @Test("token-mean over the step: micro-batch losses over stepTokens add up to the whole step's loss")
    func stepNormalisation() throws {
        let plugin = try algorithm()
        let logProbs: [Double] = [-1.0, -2.0, -0.5, -1.5, -0.7, -3.0, -0.2, -0.9, -1.1, -2.2, -0.4, -0.6]
        let old = logProbs.enumerated().map { $0.element + 0.1 * Double($0.offset % 5 - 2) }
        let ref = logProbs.enumerated().map { $0.element - 0.05 * Double($0.offset % 3) }
        let mask: [Double] = [1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1]
        let advantages: [Double] = [0.7, -0.3, 1.2, -1.6]
        let stepTokens = mask.reduce(0, +)   // 9
        func loss(rows: Range<Int>, stepTokens: Double) throws -> Double {
            let slice = { (values: [Double]) in Array(values[(rows.lowerBound * 3)..<(rows.upperBound * 3)]) }
            let inputs = LossInputs(logProbs: try f64(slice(logProbs), [rows.count, 3]), oldLogProbs: try f64(slice(old), [rows.count, 3]),
                                    refLogProbs: try f64(slice(ref), [rows.count, 3]),
                                    advantages: try f64(Array(advantages[rows]), [rows.count]),
                                    mask: try f64(slice(mask), [rows.count, 3]), stepTokens: stepTokens, stepSequences: 4,
                                    maxNewTokens: 3)
            return try plugin.loss(inputs).loss.item()
        }
        let whole = try loss(rows: 0..<4, stepTokens: stepTokens)
        let split = try loss(rows: 0..<1, stepTokens: stepTokens) + loss(rows: 1..<3, stepTokens: stepTokens)
            + loss(rows: 3..<4, stepTokens: stepTokens)
        expectClose([split], [whole], tolerance: 1e-12, "sum of micro-batches")
        expectClose([try loss(rows: 0..<4, stepTokens: 2 * stepTokens)], [whole / 2], tolerance: 1e-12, "twice the tokens")
        // The local token count does not enter: a micro-batch is normalised by the step.
        let firstRow = try loss(rows: 0..<1, stepTokens: stepTokens)
        expectClose([try loss(rows: 0..<1, stepTokens: 3)], [firstRow * stepTokens / 3], tolerance: 1e-12)
    }

    @Test("seq-mean-token-mean: mean over sequences of their token means, over stepSequences")
    func sequenceMean() throws {
        let example = HandExample()
        let out = try algorithm(["loss_aggregation": "seq-mean-token-mean", "kl_weight": 0])
            .loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3])))
        let s = example.surrogate
        expectClose([try out.loss.item()], [((s[0] + s[1] + s[2]) / 3 + (s[3] + s[4]) / 2) / 4], tolerance: 1e-12)
    }

    @Test("gradient matches central finite differences in float64", arguments: ["token-mean", "seq-mean-token-mean"])
    func gradient(aggregation: String) throws {
        let plugin = try algorithm(["loss_aggregation": .string(aggregation)])
        let example = HandExample()
        let x = try f64(example.logProbs, [2, 3]).requiringGrad()
        try plugin.loss(example.inputs(logProbs: x)).loss.backward()
        let analytic = try #require(x.grad).toArray(Double.self)
        let eps = 1e-6
        let numeric = try withNoGrad {
            try example.logProbs.indices.map { j -> Double in
                func at(_ shift: Double) throws -> Double {
                    var shifted = example.logProbs
                    shifted[j] += shift
                    return try plugin.loss(example.inputs(logProbs: try f64(shifted, [2, 3]))).loss.item()
                }
                return try (at(eps) - at(-eps)) / (2 * eps)
            }
        }
        expectClose(analytic, numeric, tolerance: 1e-7, "d loss / d logp")
        // By hand, token-mean: the clipped tokens (0, 0) and (1, 0) keep only the KL gradient
        // β(1 − e^Δ)/stepTokens, and padding gets none.
        if aggregation == "token-mean" {
            expectClose([analytic[0], analytic[3], analytic[5]], [0.04 * (1 - exp(0.1)) / 8, 0, 0], tolerance: 1e-12)
        }
    }

    @Test("mu = 1 (old := stop-gradient(current)): ratio 1, gradient −A·m/stepTokens")
    func onPolicy() throws {
        let example = HandExample()
        let x = try f64(example.logProbs, [2, 3]).requiringGrad()
        let inputs = LossInputs(logProbs: x, oldLogProbs: try x.detached(), advantages: try f64(example.advantages, [2]),
                                mask: try f64(example.mask, [2, 3]), stepTokens: 5, stepSequences: 2, maxNewTokens: 3)
        let out = try algorithm(["kl_weight": 0]).loss(inputs)
        try out.loss.backward()
        expectClose([try out.loss.item()], [-(3 * 1.0 + 2 * -0.5) / 5], tolerance: 1e-12)
        expectClose(try #require(x.grad).toArray(Double.self), [-0.2, -0.2, -0.2, 0.1, 0.1, 0], tolerance: 1e-12)
        #expect(metric(out, "ratio_mean") == 1 && metric(out, "clip_fraction") == 0)
    }

    @Test("fully masked rows (−inf and NaN log-probs under the mask) give no NaN in loss, gradient or metrics")
    func fullyMaskedRows() throws {
        let plugin = try algorithm()
        let example = HandExample()
        // Row 2 is all padding with values that would poison any unmasked arithmetic.
        let logProbs = example.logProbs + [-.infinity, -.infinity, .nan]
        let old = example.old + [-.infinity, .nan, 0]
        let ref = example.ref + [.infinity, -.infinity, .nan]
        let x = try f64(logProbs, [3, 3]).requiringGrad()
        let inputs = LossInputs(logProbs: x, oldLogProbs: try f64(old, [3, 3]), refLogProbs: try f64(ref, [3, 3]),
                                advantages: try f64(example.advantages + [0.5], [3]),
                                mask: try f64(example.mask + [0, 0, 0], [3, 3]), stepTokens: 8, stepSequences: 4,
                                maxNewTokens: 3)
        let out = try plugin.loss(inputs)
        try out.loss.backward()
        let reference = try plugin.loss(example.inputs(logProbs: try f64(example.logProbs, [2, 3])))
        expectClose([try out.loss.item()], [try reference.loss.item()], tolerance: 1e-12, "padding row changes nothing")
        let grad = try #require(x.grad).toArray(Double.self)
        #expect(grad.allSatisfy { $0.isFinite }, "gradient \(grad)")
        #expect(Array(grad.suffix(3)) == [0, 0, 0])
        #expect(out.metrics.allSatisfy { $0.value.isFinite }, "\(out.metrics)")

        // A micro-batch (and step) with no valid token at all: loss 0, gradient 0.
        let empty = try f64([-.infinity, .nan, -3], [1, 3]).requiringGrad()
        let none = try plugin.loss(LossInputs(logProbs: empty, oldLogProbs: try f64([0, 0, 0], [1, 3]),
                                              refLogProbs: try f64([0, 0, 0], [1, 3]), advantages: try f64([1], [1]),
                                              mask: try Tensor.zeros([1, 3], dtype: .float64), stepTokens: 0,
                                              stepSequences: 0, maxNewTokens: 3))
        try none.loss.backward()
        #expect(try none.loss.item() == 0)
        #expect(try #require(empty.grad).toArray(Double.self) == [0, 0, 0])
        #expect(none.metrics.allSatisfy { $0.value == 0 })
    }

    @Test("float32 inputs and [N, T] advantages work as the trainer passes them")
    func float32() throws {
        let example = HandExample()
        let perToken = [1.0, 1, 1, -0.5, -0.5, -0.5]
        let inputs = LossInputs(logProbs: try Tensor(example.logProbs.map(Float.init), shape: [2, 3]),
                                oldLogProbs: try Tensor(example.old.map(Float.init), shape: [2, 3]),
                                refLogProbs: try Tensor(example.ref.map(Float.init), shape: [2, 3]),
                                advantages: try Tensor(perToken.map(Float.init), shape: [2, 3]),
                                mask: try Tensor(example.mask.map(Float.init), shape: [2, 3]),
                                stepTokens: 8, stepSequences: 4, maxNewTokens: 3)
        let out = try algorithm().loss(inputs)
        let expected = zip(example.surrogate, example.kl).map { $0 + 0.04 * $1 }.reduce(0, +) / 8
        expectClose([try out.loss.item()], [expected], tolerance: 1e-5)
    }
}
