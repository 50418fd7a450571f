import Foundation
import PolicyObjectives
import Testing

@Suite struct SurrogateTests {
    /// ρ and A laid out so that each branch of the clipped surrogate shows once.
    let ratio: [Double] = [0.5, 0.9, 1.5, 0.5, 1.5, 5.0]
    let advantage: [Double] = [1, 1, 1, -1, -1, -1]

    @Test func clipHigherTakesTheMoreCautiousBranch() throws {
        let terms = try ClippedSurrogate(clipLow: 0.2, clipHigh: 0.28)(ratio: tensor(ratio), advantages: tensor(advantage))
        // max(−Aρ, −A·clip(ρ, 0.8, 1.28))
        //   A = 1:  ρ 0.5 → max(−0.5, −0.8) = −0.5;  ρ 0.9 → −0.9;  ρ 1.5 → max(−1.5, −1.28) = −1.28 (high clip)
        //   A = −1: ρ 0.5 → max(0.5, 0.8) = 0.8 (low clip);  ρ 1.5 → max(1.5, 1.28) = 1.5;  ρ 5 → 5
        expectClose(try array(terms.loss), [-0.5, -0.9, -1.28, 0.8, 1.5, 5])
        #expect(try array(terms.clippedHigh) == [0, 0, 1, 0, 0, 0])
        #expect(try array(terms.clippedLow) == [0, 0, 0, 1, 0, 0])
        #expect(terms.dualClipped == nil)
    }

    @Test func dualClipBoundsNegativeAdvantagesAtMinusCTimesA() throws {
        let terms = try ClippedSurrogate(clipLow: 0.2, clipHigh: 0.28, dualClip: 3)(ratio: tensor(ratio), advantages: tensor(advantage))
        // Only ρ = 5, A = −1 passes −c·A = 3.
        expectClose(try array(terms.loss), [-0.5, -0.9, -1.28, 0.8, 1.5, 3])
        #expect(try array(#require(terms.dualClipped)) == [0, 0, 0, 0, 0, 1])
    }

    @Test func deltaCapsTheUnclippedRatio() throws {
        let terms = try ClippedSurrogate(clipLow: 0.2, clipHigh: 0.2, delta: 2)(ratio: tensor(ratio), advantages: tensor(advantage))
        // A = −1, ρ = 5: max(min(5, 2), 1.2) = 2; ρ = 1.5 stays 1.5.
        expectClose(try array(terms.loss), [-0.5, -0.9, -1.2, 0.8, 1.5, 2])
    }

    @Test func importanceRatioIsOneOnPaddingEvenWithInfiniteLogProbs() throws {
        let logp = try tensor([-1, -.infinity, 0], [1, 3])
        let old = try tensor([-1.5, 0, .nan], [1, 3])
        let mask = try tensor([1, 0, 0], [1, 3])
        expectClose(try array(importanceRatio(logProbs: logp, oldLogProbs: old, mask: mask)), [exp(0.5), 1, 1])
        // verl's clamp of the log-ratio to [−20, 20]:
        let wild = try importanceRatio(logProbs: tensor([50, -50]), oldLogProbs: tensor([0, 0]), mask: tensor([1, 1]))
        expectClose(try array(wild), [exp(20), exp(-20)])
    }

    @Test func klEstimators() throws {
        let logp = try tensor([-1, 0, -30])
        let ref = try tensor([-1.5, -30, 0])
        // Δ = ref − logp = −0.5: k1 = 0.5, k2 = ½·0.25, k3 = e^−0.5 + 0.5 − 1.
        let k1 = try array(KLEstimator.k1(logProbs: logp, refLogProbs: ref))
        let k2 = try array(KLEstimator.k2(logProbs: logp, refLogProbs: ref))
        let k3 = try array(KLEstimator.k3(logProbs: logp, refLogProbs: ref))
        expectClose(k1, [0.5, 30, -30])
        expectClose(k2, [0.125, 450, 450])
        // Δ = −30 clamps to −20: e^−20 + 19 → 10; Δ = 30 clamps to 20: e^20 − 21 → 10.
        expectClose(k3, [exp(-0.5) - 0.5, 10, 10])
        #expect(KLEstimator.allCases.map(\.rawValue) == ["k1", "k2", "k3"])
    }
}
