import Foundation
import Testing
@testable import Engine

/// RMSNorm and rotary embedding are one pass each (and one autograd node) for float32 on the
/// CPU: their values and gradients must equal those of the same formulas written as tensor ops.
@Suite struct FusedInferenceTests {
    /// x · rsqrt(mean(x²) + eps) · w, as libtorch composes it.
    static func rmsNormByOps(_ x: Tensor, _ w: Tensor?, eps: Double) throws -> Tensor {
        let normalized = try x * (x.square().mean(dim: -1, keepDim: true) + eps).rsqrt()
        return try w.map { try normalized * $0 } ?? normalized
    }

    /// x · cos + cat(−x₂, x₁) · sin.
    static func rotaryByOps(_ x: Tensor, _ cos: Tensor, _ sin: Tensor) throws -> Tensor {
        let half = x.size(-1) / 2
        let rotated = try Tensor.cat([-x.slice(dim: -1, start: half), x.slice(dim: -1, start: 0, end: half)], dim: -1)
        return try x * cos + rotated * sin
    }

    /// Values and the gradients of `inputs` under a fixed random projection of the output.
    func valuesAndGradients(_ inputs: [Tensor], _ op: ([Tensor]) throws -> Tensor) throws -> ([Double], [[Double]]) {
        let leaves = try inputs.map { try $0.detached() }
        for leaf in leaves { try leaf.requiringGrad() }
        let y = try op(leaves)
        let projection = try Tensor.randn(y.shape, generator: Generator(seed: 99))
        try (y * projection).sum().backward()
        return (try elements(y.detached()), try leaves.map { try elements(#require($0.grad)) })
    }

    @Test(arguments: [[1, 1, 384], [3, 5, 13], [2, 160], [1, 4]])
    func rmsNormEqualsItsFormula(shape: [Int]) throws {
        let g = try Generator(seed: 7)
        let x = try Tensor.randn(shape, generator: g) * 3
        let weight = try Tensor.randn([shape.last!], generator: g)
        for w in [weight, nil] {
            let what = "rms_norm \(shape), weight \(w != nil)"
            let inputs = [x] + (w.map { [$0] } ?? [])
            let (fused, fusedGradients) = try valuesAndGradients(inputs) { try NN.rmsNorm($0[0], weight: $0.count > 1 ? $0[1] : nil, eps: 1e-6) }
            let (byOps, byOpsGradients) = try valuesAndGradients(inputs) { try Self.rmsNormByOps($0[0], $0.count > 1 ? $0[1] : nil, eps: 1e-6) }
            expectClose(fused, byOps, tolerance: 1e-5, what)
            for (a, b) in zip(fusedGradients, byOpsGradients) { expectClose(a, b, tolerance: 1e-4, "\(what): gradient") }
            let untracked = try withNoGrad { try NN.rmsNorm(x, weight: w, eps: 1e-6) }
            expectClose(try elements(untracked), byOps, tolerance: 1e-5, "\(what), no autograd")
        }
    }

    @Test func rmsNormByHand() throws {
        // Row [3, 4]: mean square 12.5, so y = x / sqrt(12.5 + eps) · w.
        let y = try withNoGrad { try NN.rmsNorm(f32([3, 4], [1, 2]), weight: f32([1, 2]), eps: 0) }
        let r = 1 / 12.5.squareRoot()
        try expectClose(y, [3 * r, 8 * r], tolerance: 1e-6)
    }

    @Test func rotaryEmbeddingByHand() throws {
        // D = 4: y₁ = x₁c₁ − x₃s₁, y₂ = x₂c₂ − x₄s₂, y₃ = x₃c₃ + x₁s₃, y₄ = x₄c₄ + x₂s₄.
        let x = try f32([1, 2, 3, 4], [1, 1, 1, 4])
        let cos = try f32([0.5, 1, 0, 2], [1, 1, 1, 4])
        let sin = try f32([1, 0.5, 2, 3], [1, 1, 1, 4])
        for grad in [false, true] {
            try x.requiringGrad(grad)
            let y = try NN.rotaryEmbedding(x, cos: cos, sin: sin)
            try expectClose(y.detached(), [1 * 0.5 - 3 * 1, 2 * 1 - 4 * 0.5, 3 * 0 + 1 * 2, 4 * 2 + 2 * 3], tolerance: 1e-6)
        }
    }

    @Test func rotaryEmbeddingEqualsItsFormulaOnATransposedView() throws {
        let g = try Generator(seed: 8)
        // As attention calls it: [B, L, H, D] viewed as [B, H, L, D], cos/sin [B, 1, L, D].
        let x = try Tensor.randn([2, 5, 3, 8], generator: g).transpose(1, 2)
        let angles = try Tensor.randn([2, 1, 5, 8], generator: g)
        let (cos, sin) = (try angles.cos(), try angles.sin())
        let (fused, fusedGradient) = try valuesAndGradients([x]) { try NN.rotaryEmbedding($0[0], cos: cos, sin: sin) }
        let (byOps, byOpsGradient) = try valuesAndGradients([x]) { try Self.rotaryByOps($0[0], cos, sin) }
        expectClose(fused, byOps, tolerance: 1e-6, "rotary")
        expectClose(fusedGradient[0], byOpsGradient[0], tolerance: 1e-5, "rotary: gradient")
        let untracked = try withNoGrad { try NN.rotaryEmbedding(x, cos: cos, sin: sin) }
        expectClose(try elements(untracked), byOps, tolerance: 1e-6, "rotary, no autograd")
    }

    @Test func float64TakesTheCompositeAndMatchesFiniteDifferences() throws {
        let g = try Generator(seed: 9)
        let angles = try randn64([1, 1, 3, 4], g)
        let weights = try randn64([1, 2, 3, 4], g)
        try expectGradientsMatchFiniteDifferences([try randn64([1, 2, 3, 4], g), try randn64([4], g)]) { inputs in
            let normalized = try NN.rmsNorm(inputs[0], weight: inputs[1], eps: 1e-6)
            return try (NN.rotaryEmbedding(normalized, cos: angles.cos(), sin: angles.sin()) * weights).sum()
        }
    }
}
