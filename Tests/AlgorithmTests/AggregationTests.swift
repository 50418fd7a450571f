import PolicyObjectives
import Testing

@Suite struct AggregationTests {
    // ℓ per token; row 2 is fully masked and row 1's padding holds NaN.
    let loss: [Double] = [1, 2, 3, 4, 5, .nan, .nan, .nan, .nan]
    let mask: [Double] = [1, 1, 1, 1, 1, 0, 0, 0, 0]
    let step = StepSize(tokens: 5, sequences: 2, maxNewTokens: 4)

    static let expected: [(LossAggregation, Double)] = [
        (.tokenMean, 15.0 / 5),                          // Σ / tokens
        (.seqMeanTokenMean, (6.0 / 3 + 9.0 / 2) / 2),    // mean over sequences of token means
        (.seqMeanTokenSum, 15.0 / 2),                    // mean over sequences of token sums
        (.seqMeanTokenSumNorm, 15.0 / (2 * 4)),          // Σ / (sequences · max new tokens)
    ]

    @Test(arguments: expected)
    func handComputed(mode: LossAggregation, expected: Double) throws {
        let value = try mode(tensor(loss, [3, 3]), mask: tensor(mask, [3, 3], .float32), step: step)
        expectClose(try value.item(), expected)
    }

    @Test func stepSizeOfAMaskCountsValidTokensAndNonEmptySequences() throws {
        let size = try StepSize(mask: tensor(mask, [3, 3], .float32), maxNewTokens: 4)
        #expect(size == step)
    }

    @Test(arguments: LossAggregation.allCases)
    func microBatchLossesSumToTheStepLoss(mode: LossAggregation) throws {
        // Six sequences of five tokens, ragged lengths, one empty; split 2 + 1 + 3.
        let lengths = [5, 2, 0, 1, 4, 3]
        let mask = lengths.flatMap { n in (0..<5).map { $0 < n ? 1.0 : 0.0 } }
        let values = pseudoRandom(30, seed: 7, in: -2...2)
        let full = try tensor(values, [6, 5])
        let fullMask = try tensor(mask, [6, 5], .float32)
        let step = try StepSize(mask: fullMask, maxNewTokens: 8)
        #expect(step.tokens == 15 && step.sequences == 5)
        let whole = try mode(full, mask: fullMask, step: step).item()
        var summed = 0.0
        for rows in [0..<2, 2..<3, 3..<6] {
            let part = try full.slice(dim: 0, start: rows.lowerBound, end: rows.upperBound)
            let partMask = try fullMask.slice(dim: 0, start: rows.lowerBound, end: rows.upperBound)
            summed += try mode(part, mask: partMask, step: step).item()
        }
        expectClose(summed, whole, tolerance: 1e-12)
    }

    @Test(arguments: LossAggregation.allCases)
    func aBatchWithoutValidTokensGivesZero(mode: LossAggregation) throws {
        let value = try mode(tensor([.nan, 1], [1, 2]), mask: tensor([0, 0], [1, 2]), step: StepSize(tokens: 0, sequences: 0, maxNewTokens: 0))
        #expect(try value.item() == 0)
    }
}
