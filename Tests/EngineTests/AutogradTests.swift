import Foundation
import Testing
@testable import Engine

/// Checks the gradients `backward()` gives for `loss(inputs)` against central differences
/// (f(x + eps) − f(x − eps)) / 2eps taken element by element. `inputs` must be float64 leaves;
/// non-differentiable arguments (targets) are captured by `loss`.
func expectGradientsMatchFiniteDifferences(_ inputs: [Tensor], eps: Double = 1e-6, tolerance: Double = 1e-6,
                                           sourceLocation: SourceLocation = #_sourceLocation,
                                           _ loss: ([Tensor]) throws -> Tensor) throws {
    for x in inputs { try x.requiringGrad() }
    try loss(inputs).backward()
    let analytic = try inputs.map { try #require($0.grad, sourceLocation: sourceLocation).toArray(Double.self) }
    try withNoGrad {
        for (i, x) in inputs.enumerated() {
            let base = try x.toArray(Double.self)
            func at(_ j: Int, _ delta: Double) throws -> Double {
                var shifted = base
                shifted[j] += delta
                var arguments = inputs
                arguments[i] = try Tensor(shifted, shape: x.shape)
                return try loss(arguments).item()
            }
            let numeric = try base.indices.map { j in try (at(j, eps) - at(j, -eps)) / (2 * eps) }
            expectClose(analytic[i], numeric, tolerance: tolerance, "d loss / d input \(i):",
                        sourceLocation: sourceLocation)
        }
    }
}

/// A float64 tensor of standard normal values.
func randn64(_ shape: [Int], _ generator: Generator) throws -> Tensor {
    try Tensor.randn(shape, generator: generator).to(.float64)
}

@Suite struct GradientCheckTests {
    @Test func softmaxCrossEntropy() throws {
        let g = try Generator(seed: 21)
        let logits = try randn64([4, 5], g)
        let targets = try i64([1, 4, -100, 0])
        let weights = try randn64([4, 5], g)
        try expectGradientsMatchFiniteDifferences([logits]) { x in
            let ce = try NN.crossEntropy(x[0], targets: targets, labelSmoothing: 0.1)
            return try ce + (NN.softmax(x[0]) * weights).sum()
        }
    }

    @Test func rmsNormWithWeight() throws {
        let g = try Generator(seed: 22)
        let x = try randn64([3, 4], g)
        let weight = try randn64([4], g)
        let w = try randn64([3, 4], g)
        try expectGradientsMatchFiniteDifferences([x, weight]) { t in
            try (NN.rmsNorm(t[0], weight: t[1], eps: 1e-5) * w).sum()
        }
    }

    @Test(arguments: [(heads: 2, kvHeads: 2, causal: true), (heads: 4, kvHeads: 2, causal: false),
                      (heads: 4, kvHeads: 2, causal: true)])
    func scaledDotProductAttention(heads: Int, kvHeads: Int, causal: Bool) throws {
        let g = try Generator(seed: 23)
        let q = try randn64([1, heads, 3, 2], g)
        let k = try randn64([1, kvHeads, 3, 2], g)
        let v = try randn64([1, kvHeads, 3, 2], g)
        let w = try randn64([1, heads, 3, 2], g)
        try expectGradientsMatchFiniteDifferences([q, k, v]) { t in
            try (NN.scaledDotProductAttention(query: t[0], key: t[1], value: t[2], causal: causal) * w).sum()
        }
    }

    @Test func tokenLogProbs() throws {
        // tokenLogProbs computes in float32 (documented), so float64 differences at eps 1e-6 would
        // measure rounding: a larger step and a float32-sized tolerance are used instead.
        let g = try Generator(seed: 24)
        let logits = try randn64([2, 3, 5], g)
        let targets = try Tensor.randint(0, 5, [2, 3], generator: g)
        let w = try randn64([2, 3], g)
        try expectGradientsMatchFiniteDifferences([logits], eps: 1e-2, tolerance: 1e-3) { t in
            try (NN.tokenLogProbs(logits: t[0], targets: targets) * w).sum()
        }
    }

    @Test func linearSiluChain() throws {
        let g = try Generator(seed: 25)
        let x = try randn64([2, 3], g)
        let w1 = try randn64([4, 3], g)
        let b1 = try randn64([4], g)
        let w2 = try randn64([2, 4], g)
        let target = try randn64([2, 2], g)
        try expectGradientsMatchFiniteDifferences([x, w1, b1, w2]) { t in
            let hidden = try NN.linear(t[0], weight: t[1], bias: t[2]).silu()
            return try (NN.linear(hidden, weight: t[3]) - target).square().mean()
        }
    }
}

@Suite struct AutogradBehaviourTests {
    @Test func noGradProducesTensorsWithoutGradAndRestoresMode() throws {
        let x = try f32([1, 2]).requiringGrad()
        #expect(Autograd.isEnabled)
        let y = try withNoGrad {
            #expect(!Autograd.isEnabled)
            return try x * 2
        }
        #expect(!y.requiresGrad)
        #expect(Autograd.isEnabled)
        #expect(try (x * 2).requiresGrad)
    }

    @Test func noGradRestoresModeWhenBodyThrows() throws {
        #expect(throws: TorchError.self) { try withNoGrad { try Tensor.zeros([2]) + Tensor.zeros([3]) } }
        #expect(Autograd.isEnabled)
        Autograd.withGradient(false) {
            Autograd.withGradient(true) { #expect(Autograd.isEnabled) }
            #expect(!Autograd.isEnabled)
        }
        #expect(Autograd.isEnabled)
    }

    @Test func requiringGradMarksLeaf() throws {
        let x = try f32([1])
        #expect(!x.requiresGrad)
        #expect(try x.requiringGrad() === x)
        #expect(x.requiresGrad)
        #expect(x.grad == nil)
        try x.requiringGrad(false)
        #expect(!x.requiresGrad)
    }

    @Test func detachedStopsGradient() throws {
        let x = try f32([1, 2, 3]).requiringGrad()
        let d = try x.detached()
        #expect(!d.requiresGrad)
        try expectClose(d, [1, 2, 3])
        try (x * d).sum().backward()  // d/dx of x·c with c = x held constant is c
        try expectClose(#require(x.grad), [1, 2, 3])
    }

    @Test func zeroGradClears() throws {
        let x = try f32([1, 2]).requiringGrad()
        try (x * x).sum().backward()
        try expectClose(#require(x.grad), [2, 4])
        try x.zeroGrad()
        #expect(x.grad == nil)
        try (x * 3).sum().backward()
        try expectClose(#require(x.grad), [3, 3])
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() throws {
        let x = try f32([1, 2]).requiringGrad()
        try (x * x).sum().backward()
        try (x * x).sum().backward()
        try expectClose(#require(x.grad), [4, 8])
        let loss = try (x * 5).sum()
        try loss.backward(retainGraph: true)
        try loss.backward()
        try expectClose(#require(x.grad), [14, 18])
    }

    @Test func backwardOfNonScalarNeedsGradient() throws {
        let x = try f32([1, 2]).requiringGrad()
        let y = try x * 3
        try expectTorchError(naming: "backward") { try y.backward() }
        try y.backward(gradient: f32([1, 10]))
        try expectClose(#require(x.grad), [3, 30])
    }
}
