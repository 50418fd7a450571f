import Foundation
import Testing
@testable import Engine

/// RMSNorm and rotary embedding run as one pass each where no gradient is recorded, and as
/// libtorch's composite ops where one is: both must give the same values.
@Suite struct FusedInferenceTests {
    /// The values of `op` computed without autograd (the fused pass) and with it (the
    /// composite), its input recording gradients.
    func bothWays(_ input: Tensor, _ op: (Tensor) throws -> Tensor) throws -> (fused: [Double], composite: [Double]) {
        let fused = try withNoGrad { try op(input) }
        let tracked = try input.detached()
        try tracked.requiringGrad()
        let composite = try op(tracked)
        #expect(fused.shape == composite.shape)
        return (try elements(fused), try elements(composite.detached()))
    }

    @Test(arguments: [[1, 1, 384], [3, 5, 13], [2, 160], [1, 4]])
    func rmsNormEqualsTheComposite(shape: [Int]) throws {
        let g = try Generator(seed: 7)
        let x = try Tensor.randn(shape, generator: g) * 3
        let weight = try Tensor.randn([shape.last!], generator: g)
        for w in [weight, nil] {
            let (fused, composite) = try bothWays(x) { try NN.rmsNorm($0, weight: w, eps: 1e-6) }
            expectClose(fused, composite, tolerance: 1e-5, "rms_norm \(shape), weight \(w != nil)")
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

    @Test func rotaryEmbeddingEqualsTheCompositeOnATransposedView() throws {
        let g = try Generator(seed: 8)
        // As attention calls it: [B, L, H, D] viewed as [B, H, L, D], cos/sin [B, 1, L, D].
        let x = try Tensor.randn([2, 5, 3, 8], generator: g).transpose(1, 2)
        let angles = try Tensor.randn([2, 1, 5, 8], generator: g)
        let (fused, composite) = try bothWays(x) { try NN.rotaryEmbedding($0, cos: angles.cos(), sin: angles.sin()) }
        expectClose(fused, composite, tolerance: 1e-6, "rotary")
    }

    @Test func rotaryEmbeddingGradientMatchesFiniteDifferences() throws {
        let g = try Generator(seed: 9)
        let angles = try randn64([1, 1, 3, 4], g)
        let weights = try randn64([1, 2, 3, 4], g)
        try expectGradientsMatchFiniteDifferences([try randn64([1, 2, 3, 4], g)]) { inputs in
            try (NN.rotaryEmbedding(inputs[0], cos: angles.cos(), sin: angles.sin()) * weights).sum()
        }
    }
}
