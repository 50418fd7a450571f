import Foundation
import Testing
@testable import Core

/// The statistics of `rlrun eval` against values worked out by hand (and in Python's math module).
@Suite struct EvaluationStatisticsTests {
    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { a.map { abs($0 - b) < tolerance } ?? false }

    // Wilson: centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²).
    // 7/10: centre 0.89207/1.38415 = 0.64449, half 0.34287/1.38415 = 0.24772.
    @Test func wilsonIntervalOfSevenOutOfTen() throws {
        let interval = try #require(ComparisonStatistics.wilsonInterval(successes: 7, trials: 10))
        #expect(close(interval.lower, 0.396778))
        #expect(close(interval.upper, 0.892209))
        #expect(close(interval.level, 0.95, 1e-9))
    }

    // At 0/n the interval runs from 0 to (z²/n)/(1 + z²/n) = 0.38415/1.38415; n/n mirrors it.
    @Test func wilsonIntervalAtTheEdgesStaysInsideZeroOne() throws {
        let none = try #require(ComparisonStatistics.wilsonInterval(successes: 0, trials: 10))
        #expect(none.lower == 0)
        #expect(close(none.upper, 0.277533))
        let all = try #require(ComparisonStatistics.wilsonInterval(successes: 10, trials: 10))
        #expect(close(all.lower, 0.722467))
        #expect(all.upper <= 1 && close(all.upper, 1))
        #expect(ComparisonStatistics.wilsonInterval(successes: 0, trials: 0) == nil)
        #expect(ComparisonStatistics.wilsonInterval(successes: 11, trials: 10) == nil)
    }

    // A = 1110101101, B = 1010001110: differences 0,1,0,0,1,0,0,0,−1,1; mean 0.2; squared
    // deviations 6·0.04 + 3·0.64 + 1.44 = 3.6, s² = 3.6/9 = 0.4, SE = √(0.4/10) = 0.2;
    // interval 0.2 ± 1.95996·0.2 = [−0.19199, 0.59199].
    static let a: [Bool] = [true, true, true, false, true, false, true, true, false, true]
    static let b: [Bool] = [true, false, true, false, false, false, true, true, true, false]

    @Test func pairedDifferenceUsesThePerItemDifferences() throws {
        let difference = try #require(PairedDifference(Self.a.map { $0 ? 1 : 0 }, Self.b.map { $0 ? 1 : 0 }))
        #expect(difference.n == 10)
        #expect(close(difference.mean, 0.2, 1e-12))
        #expect(close(difference.standardError, 0.2, 1e-12))
        #expect(close(difference.interval?.lower, -0.191993))
        #expect(close(difference.interval?.upper, 0.591993))
    }

    @Test func pairedDifferenceNeedsTwoItemsForAnInterval() throws {
        let one = try #require(PairedDifference([1], [0]))
        #expect(one.mean == 1)
        #expect(one.interval == nil)
        #expect(PairedDifference([], []) == nil)
        #expect(PairedDifference([1, 0], [1]) == nil)
    }

    // The same pairs: A alone right on items 1, 4, 9; B alone on item 8; both on 0, 2, 6, 7;
    // neither on 3, 5. Win rate 3/4. Exact: 2·P(X ≤ 1), X ~ Bin(4, ½) = 2·(1 + 4)/16 = 0.625.
    // χ² = (|3 − 1| − 1)²/4 = 0.25, p = erfc(√0.125) = 0.617075.
    @Test func outcomesWinRateAndMcNemar() throws {
        let outcomes = try #require(PairedOutcomes(a: Self.a, b: Self.b))
        #expect(outcomes == PairedOutcomes(aOnly: 3, bOnly: 1, both: 4, neither: 2))
        #expect(outcomes.n == 10)
        #expect(outcomes.winRate == 0.75)
        #expect(close(outcomes.mcnemarExactP, 0.625, 1e-12))
        #expect(close(outcomes.mcnemarChiSquare, 0.25, 1e-12))
        #expect(close(outcomes.mcnemarChiSquareP, 0.617075))
    }

    // 10 against 2: 2·(C(12,0) + C(12,1) + C(12,2))/2¹² = 2·79/4096 = 0.038574; χ² = 7²/12 =
    // 4.08333, p = 0.043308.
    @Test func mcnemarOnALopsidedSplit() {
        let outcomes = PairedOutcomes(aOnly: 10, bOnly: 2, both: 30, neither: 8)
        #expect(close(outcomes.mcnemarExactP, 0.038574, 1e-6))
        #expect(close(outcomes.mcnemarChiSquare, 49.0 / 12, 1e-12))
        #expect(close(outcomes.mcnemarChiSquareP, 0.043308))
        // Symmetric in which model is which.
        #expect(outcomes.mcnemarExactP == PairedOutcomes(aOnly: 2, bOnly: 10, both: 30, neither: 8).mcnemarExactP)
    }

    @Test func modelsThatNeverDisagreeHaveNoWinRateAndPOne() {
        let outcomes = PairedOutcomes(aOnly: 0, bOnly: 0, both: 5, neither: 5)
        #expect(outcomes.winRate == nil)
        #expect(outcomes.mcnemarExactP == 1)
        #expect(outcomes.mcnemarChiSquare == nil)
        // An even split is the least evidence there is: p capped at 1.
        #expect(PairedOutcomes(aOnly: 4, bOnly: 4, both: 0, neither: 0).mcnemarExactP == 1)
    }

    // Thousands of disagreements: C(3000, k) and 2^3000 overflow a Double, their ratio does not.
    @Test func mcnemarExactStaysFiniteForLargeCounts() {
        let even = PairedOutcomes(aOnly: 1500, bOnly: 1500, both: 0, neither: 0).mcnemarExactP
        let lopsided = PairedOutcomes(aOnly: 1600, bOnly: 1400, both: 0, neither: 0).mcnemarExactP
        #expect(even == 1)
        #expect(lopsided.isFinite && lopsided > 0 && lopsided < 0.001)
        // Close to the chi-square at this size.
        let chi = PairedOutcomes(aOnly: 1600, bOnly: 1400, both: 0, neither: 0).mcnemarChiSquareP!
        #expect(abs(log(lopsided) - log(chi)) < 0.1)
    }
}
