import Foundation
import PolicyObjectives
import Testing

/// Three groups of four: rewards that vary, equal rewards, and a second varying group.
private let rewards: [Double] = [1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5, 3, 0, 1, 2]
private let eps = 1e-6

@Suite struct OutcomeAdvantageTests {
    @Test func groupNormalisedDividesByTheGroupsBesselStd() throws {
        let a = try groupNormalizedAdvantages(rewards: tensor(rewards), groupSize: 4, scaling: .group, eps: eps)
        // Group 1: mean 0.5, std sqrt((4 · 0.25) / 3). Group 3: mean 1.5, std sqrt((2.25 + 2.25 + 0.25 + 0.25) / 3).
        let s1 = (1.0 / 3).squareRoot() + eps
        let s3 = (5.0 / 3).squareRoot() + eps
        expectClose(try array(a), [0.5 / s1, -0.5 / s1, -0.5 / s1, 0.5 / s1, 0, 0, 0, 0, 1.5 / s3, -1.5 / s3, -0.5 / s3, 0.5 / s3])
    }

    @Test func equalRewardsGiveExactlyZeroEvenWhenTheMeanRoundsAndForEveryScaling() throws {
        // 0.1 is not exact in binary: mean − r is a rounding residue that std + eps would magnify.
        let equal = try tensor([0.1, 0.1, 0.1, 0.1, 0.1, 0.1], nil, .float32)
        for scaling in RewardScaling.allCases {
            let a = try groupNormalizedAdvantages(rewards: equal, groupSize: 3, scaling: scaling, eps: eps)
            #expect(try array(a) == [0, 0, 0, 0, 0, 0], "\(scaling)")
            #expect(a.dtype == .float32)
        }
        #expect(try array(leaveOneOutAdvantages(rewards: equal, groupSize: 3)) == [0, 0, 0, 0, 0, 0])
    }

    @Test func noScalingOnlyCentres() throws {
        let a = try groupNormalizedAdvantages(rewards: tensor(rewards), groupSize: 4, scaling: .none, eps: eps)
        expectClose(try array(a), [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0, 1.5, -1.5, -0.5, 0.5])
    }

    @Test func batchScalingCentresOnTheGroupAndDividesByTheBatchStd() throws {
        let mean = rewards.reduce(0, +) / 12
        let std = (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 11).squareRoot() + eps
        let a = try groupNormalizedAdvantages(rewards: tensor(rewards), groupSize: 4, scaling: .batch, eps: eps)
        expectClose(try array(a), [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0, 1.5, -1.5, -0.5, 0.5].map { $0 / std })
    }

    /// In a data-parallel run the std is the whole batch's: here a second process holding the
    /// same rewards, so 24 rewards with the same mean and twice the squared deviations.
    @Test func batchScalingTakesItsStdOverEveryProcess() throws {
        let mean = rewards.reduce(0, +) / 12
        let std = (2 * rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 23).squareRoot() + eps
        let a = try groupNormalizedAdvantages(rewards: tensor(rewards), groupSize: 4, scaling: .batch, eps: eps,
                                              sum: { $0.map { 2 * $0 } })
        expectClose(try array(a), [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0, 1.5, -1.5, -0.5, 0.5].map { $0 / std })
        // A process holding no rows still answers, and gets no advantages.
        let none = try groupNormalizedAdvantages(rewards: tensor([]), groupSize: 4, scaling: .batch, eps: eps,
                                                 sum: { $0.map { 2 * $0 } })
        #expect(none.count == 0)
    }

    @Test func aGroupOfOneHasMeanZeroAndStdOne() throws {
        // verl: the lone reward itself (÷ (1 + eps)); no NaN from the std of one value.
        let a = try groupNormalizedAdvantages(rewards: tensor([2, -1, 0]), groupSize: 1, scaling: .group, eps: eps)
        expectClose(try array(a), [2 / (1 + eps), -1 / (1 + eps), 0])
        expectClose(try array(groupNormalizedAdvantages(rewards: tensor([2, -1, 0]), groupSize: 1, scaling: .none, eps: eps)), [2, -1, 0])
        expectClose(try array(leaveOneOutAdvantages(rewards: tensor([2, -1, 0]), groupSize: 1)), [2, -1, 0])
    }

    @Test func rlooSubtractsTheMeanOfTheOthers() throws {
        let a = try leaveOneOutAdvantages(rewards: tensor(rewards), groupSize: 4)
        // r_i − (Σ_g r − r_i) / 3
        let expected = stride(from: 0, to: 12, by: 4).flatMap { start -> [Double] in
            let group = Array(rewards[start..<start + 4])
            return group.map { $0 - (group.reduce(0, +) - $0) / 3 }
        }
        expectClose(try array(a), expected)
        expectClose(Array(expected[0..<4]), [2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3])
        expectClose(try array(OutcomeEstimator.rloo(rewards: tensor(rewards), groupSize: 4, scaling: .group, eps: eps)), expected)
    }

    @Test func broadcastPutsTheAdvantageOnValidTokensOnly() throws {
        let mask = try tensor([1, 1, 0, 1, 0, 0, 0, 0, 0], [3, 3], .float32)
        let a = try broadcastOverTokens(tensor([2, -1, 5]), mask: mask)
        #expect(a.shape == [3, 3])
        #expect(a.dtype == .float32)
        #expect(try array(a) == [2, 2, 0, -1, 0, 0, 0, 0, 0])
    }
}
