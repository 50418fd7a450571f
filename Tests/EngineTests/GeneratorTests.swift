import Foundation
import Testing
@testable import Engine

@Suite struct GeneratorTests {
    /// One draw of every kind of sample, as plain numbers.
    static func draw(_ g: Generator) throws -> [Double] {
        let probs = try f32([0.1, 0.2, 0.3, 0.4])
        return try elements(Tensor.randn([5], generator: g)) + elements(Tensor.rand([5], generator: g))
            + elements(Tensor.randint(0, 100, [5], generator: g))
            + elements(NN.multinomial(probs, samples: 8, replacement: true, generator: g))
    }

    @Test func sameSeedGivesSameSamples() throws {
        let a = try Self.draw(Generator(seed: 42))
        let b = try Self.draw(Generator(seed: 42))
        #expect(a == b)
    }

    @Test func differentSeedsDiffer() throws {
        let a = try elements(Tensor.randn([8], generator: Generator(seed: 1)))
        let b = try elements(Tensor.randn([8], generator: Generator(seed: 2)))
        #expect(a != b)
    }

    @Test func restoringStateRepeatsDraws() throws {
        let g = try Generator(seed: 7)
        _ = try Self.draw(g)  // advance past the start
        let saved = try g.state()
        #expect(saved.dtype == .uint8)
        let first = try Self.draw(g)
        try g.setState(saved)
        #expect(try Self.draw(g) == first)
        // The state carries over to another generator, as when a run resumes.
        let other = try Generator(seed: 999)
        try other.setState(saved)
        #expect(try Self.draw(other) == first)
    }

    @Test func savedStateIsASnapshot() throws {
        let g = try Generator(seed: 8)
        let saved = try g.state()
        let before = try saved.toArray(UInt8.self)
        _ = try Self.draw(g)
        #expect(try saved.toArray(UInt8.self) == before)
        #expect(try g.state().toArray(UInt8.self) != before)
    }

    @Test func seedProperty() throws {
        #expect(try Generator(seed: 1234).seed == 1234)
        #expect(try Generator(seed: 0xDEAD_BEEF_CAFE).seed == 0xDEAD_BEEF_CAFE)
        let g = try Generator(seed: 5)
        _ = try Self.draw(g)
        #expect(g.seed == 5)
        #expect(g.device == .cpu)
    }

    @Test func samplesHaveRequestedRangeShapeAndDType() throws {
        let g = try Generator(seed: 9)
        let u = try Tensor.rand([1000], generator: g)
        #expect(u.shape == [1000] && u.dtype == .float32)
        #expect(try u.min().item() >= 0 && u.max().item() < 1)
        let n = try Tensor.randn([2, 3], dtype: .float64, generator: g)
        #expect(n.shape == [2, 3] && n.dtype == .float64)
        let r = try Tensor.randint(-3, 3, [1000], generator: g)
        #expect(r.dtype == .int64)
        #expect(try Set(r.toArray(Int.self)) == Set(-3..<3))
    }
}

@Suite struct LearningRateScheduleTests {
    @Test func constantWithWarmup() {
        let s = LearningRateSchedule(kind: .constant, baseRate: 0.1, warmupSteps: 4, totalSteps: 100)
        let rates = [0, 1, 2, 3, 4, 50, 100, 500].map { s.rate(atStep: $0) }
        expectClose(rates, [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1], tolerance: 1e-12)
        #expect(LearningRateSchedule(kind: .constant, baseRate: 3e-4).rate(atStep: 0) == 3e-4)
    }

    @Test func linearDecay() {
        let s = LearningRateSchedule(kind: .linear, baseRate: 1, warmupSteps: 2, totalSteps: 10)
        // Warm-up 1/2, 2/2; then 1 − (step − 2)/8, floored at 0 after totalSteps.
        let rates = [0, 1, 2, 4, 6, 9, 10, 20].map { s.rate(atStep: $0) }
        expectClose(rates, [0.5, 1, 1, 0.75, 0.5, 0.125, 0, 0], tolerance: 1e-12)
    }

    @Test func linearDecayToMinRatio() {
        let s = LearningRateSchedule(kind: .linear, baseRate: 2, warmupSteps: 0, totalSteps: 4, minRatio: 0.1)
        let rates = [0, 2, 4, 8].map { s.rate(atStep: $0) }
        expectClose(rates, [2, 2 * (0.1 + 0.9 * 0.5), 0.2, 0.2], tolerance: 1e-12)
    }

    @Test func cosineDecay() {
        let s = LearningRateSchedule(kind: .cosine, baseRate: 2, totalSteps: 8)
        let rates = [0, 2, 4, 6, 8, 9].map { s.rate(atStep: $0) }
        let r = 0.5.squareRoot() // cos(π/4)
        expectClose(rates, [2, 1 + r, 1, 1 - r, 0, 0], tolerance: 1e-12)
    }

    @Test func cosineWithWarmupAndMinRatio() {
        let s = LearningRateSchedule(kind: .cosine, baseRate: 1, warmupSteps: 2, totalSteps: 6, minRatio: 0.2)
        // Decay over 4 steps from step 2: progress 0, 0.5, 1.
        let rates = [0, 1, 2, 4, 6].map { s.rate(atStep: $0) }
        expectClose(rates, [0.5, 1, 1, 0.2 + 0.8 * 0.5, 0.2], tolerance: 1e-12)
    }
}

@Suite struct GradientClippingTests {
    /// Two parameters whose gradients are [3, 4] and [12]: global norm 13.
    static func parametersWithGradients() throws -> (Tensor, Tensor) {
        let p = try Tensor.zeros([2]).requiringGrad()
        let q = try Tensor.zeros([1]).requiringGrad()
        try ((p * f32([3, 4])).sum() + (q * 12).sum()).backward()
        return (p, q)
    }

    @Test func clipsToMaxNormAndReturnsNormBeforeClipping() throws {
        let (p, q) = try Self.parametersWithGradients()
        let norm = try clipGradientNorm([p, q], maxNorm: 6.5)
        #expect(Swift.abs(norm - 13) < 1e-5)
        let scale = 6.5 / (13 + 1e-6)
        try expectClose(#require(p.grad), [3 * scale, 4 * scale], tolerance: 1e-6)
        try expectClose(#require(q.grad), [12 * scale], tolerance: 1e-6)
        #expect(Swift.abs(try clipGradientNorm([p, q], maxNorm: nil) - 6.5) < 1e-5)
    }

    @Test func leavesGradientsBelowMaxNormUnchanged() throws {
        let (p, q) = try Self.parametersWithGradients()
        #expect(Swift.abs(try clipGradientNorm([p, q], maxNorm: 20) - 13) < 1e-5)
        try expectClose(#require(p.grad), [3, 4])
        try expectClose(#require(q.grad), [12])
    }

    @Test func measuresOnlyWithoutMaxNormAndSkipsParametersWithoutGradient() throws {
        let (p, q) = try Self.parametersWithGradients()
        let unused = try Tensor.ones([3]).requiringGrad()
        #expect(Swift.abs(try clipGradientNorm([p, q, unused], maxNorm: nil) - 13) < 1e-5)
        try expectClose(#require(p.grad), [3, 4])
        #expect(try clipGradientNorm([unused], maxNorm: 1) == 0)
    }
}
