import PolicyObjectives
import Testing

@Suite struct GAETests {
    @Test func handComputedSequences() throws {
        // Row 0: three valid tokens then padding (whose value 9 must not leak in).
        //   t=2: δ = 1 + 0.9·0 − 0.7 = 0.3             A = 0.3                      R = 1.0
        //   t=1: δ = 0 + 0.9·0.7 − 0.6 = 0.03          A = 0.03 + 0.72·0.3 = 0.246  R = 0.846
        //   t=0: δ = 0 + 0.9·0.6 − 0.5 = 0.04          A = 0.04 + 0.72·0.246 = 0.21712
        // Row 1: token 1 is outside the mask inside the completion: V and A carry through it.
        //   t=3: δ = 2 − 0.25 = 1.75                   A = 1.75                     R = 2.0
        //   t=2: δ = 0.9·0.25 − 0.5 = −0.275           A = −0.275 + 0.72·1.75 = 0.985
        //   t=0: δ = 0.9·0.5 − 1 = −0.55               A = −0.55 + 0.72·0.985 = 0.1592
        // Row 2: fully masked: nothing.
        let rewards = try tensor([0, 0, 1, 7, 0, 5, 0, 2, 1, 1, 1, 1], [3, 4], .float32)
        let values = try tensor([0.5, 0.6, 0.7, 9, 1, 100, 0.5, 0.25, 3, 3, 3, 3], [3, 4], .float32)
        let mask = try tensor([1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0], [3, 4], .float32)
        let (a, r) = try generalizedAdvantageEstimation(tokenRewards: rewards, values: values, mask: mask, gamma: 0.9, lambda: 0.8)
        #expect(a.dtype == .float32 && a.shape == [3, 4])
        expectClose(try array(a), [0.21712, 0.246, 0.3, 0, 0.1592, 0, 0.985, 1.75, 0, 0, 0, 0], tolerance: 1e-6)
        expectClose(try array(r), [0.71712, 0.846, 1.0, 0, 1.1592, 0, 1.485, 2.0, 0, 0, 0, 0], tolerance: 1e-6)
    }

    @Test func lambdaOneGivesMonteCarloReturnsMinusValues() throws {
        let rewards = try tensor([0.5, -1, 2], [1, 3])
        let values = try tensor([0.3, 0.2, 0.1], [1, 3])
        let mask = try tensor([1, 1, 1], [1, 3])
        let (a, r) = try generalizedAdvantageEstimation(tokenRewards: rewards, values: values, mask: mask, gamma: 0.5, lambda: 1)
        // G_2 = 2, G_1 = −1 + 0.5·2 = 0, G_0 = 0.5 + 0.5·0 = 0.5
        expectClose(try array(r), [0.5, 0, 2])
        expectClose(try array(a), [0.5 - 0.3, 0 - 0.2, 2 - 0.1])
    }

    @Test func tokenRewardsPayTheScoreAtTheLastValidTokenAndKLEverywhere() throws {
        let mask = try tensor([1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0], [4, 3], .float32)
        let kl = try tensor([0.1, 0.2, 9, 0.3, -0.1, 0.05, 0.4, 9, 9, 9, 9, 9], [4, 3], .float32)
        let r = try tokenRewards(scores: tensor([1, 2, 3, 4], nil, .float32), kl: kl, beta: 0.5, mask: mask)
        expectClose(try array(r), [-0.05, -0.1 + 1, 0, -0.15, 0.05, -0.025 + 2, -0.2 + 3, 0, 0, 0, 0, 0], tolerance: 1e-6)
        let scoreOnly = try tokenRewards(scores: tensor([1, 2, 3, 4], nil, .float32), kl: nil, beta: 0.5, mask: mask)
        #expect(try array(scoreOnly) == [0, 1, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0])
    }

    @Test func whiteningUsesValidTokensOnly() throws {
        let x = try tensor([1, 2, 3, 100, 4, .nan], [2, 3])
        let mask = try tensor([1, 1, 1, 0, 1, 0], [2, 3])
        // valid: 1, 2, 3, 4 → mean 2.5, Bessel variance 5/3
        let scale = 1 / (5.0 / 3 + 1e-8).squareRoot()
        expectClose(try array(Masked.whiten(x, mask)), [-1.5 * scale, -0.5 * scale, 0.5 * scale, 0, 1.5 * scale, 0])
        // One valid token: variance 0, whitened to 0, not NaN.
        expectClose(try array(Masked.whiten(tensor([7, 3], [1, 2]), tensor([0, 1], [1, 2]))), [0, 0])
    }

    /// One process of two holds 1, 2 (the other 3, 4): with the sums over processes it
    /// whitens with the whole batch's mean 2.5 and variance 5/3, exactly as one process would.
    @Test func whiteningSumsItsStatisticsOverProcesses() throws {
        let other: [Double] = [3, 4]
        var calls = 0
        let sum: ([Double]) throws -> [Double] = { values in
            calls += 1
            if calls == 1 { return [values[0] + other.reduce(0, +), values[1] + 2] }  // sum, count
            return [values[0] + other.map { ($0 - 2.5) * ($0 - 2.5) }.reduce(0, +)]    // squares about the mean
        }
        let scale = 1 / (5.0 / 3 + 1e-8).squareRoot()
        let mine = try Masked.whiten(tensor([1, 2, 9], [1, 3]), tensor([1, 1, 0], [1, 3]), sum: sum)
        expectClose(try array(mine), [-1.5 * scale, -0.5 * scale, 0])
        #expect(calls == 2)
    }
}
