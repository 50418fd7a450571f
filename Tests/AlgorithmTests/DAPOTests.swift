import DAPOAlgorithm
import GRPOAlgorithm
import PolicyObjectives
import RLRunSDK
import Synchronization
import Testing

@Suite struct DAPOTests {
    @Test func softOverlongPunishmentIsPiecewiseLinear() {
        // L_max 20, L_cache 8: free up to 12 tokens, then −(|y| − 12)/8, −1 past the budget.
        let punishment = SoftOverlongPunishment(maxLength: 20, cacheLength: 8)
        expectClose([0, 12, 13, 16, 20, 21].map(punishment.penalty), [0, 0, -0.125, -0.5, -1, -1])
        let half = SoftOverlongPunishment(maxLength: 20, cacheLength: 8, factor: 0.5)
        expectClose([12, 16, 20, 30].map(half.penalty), [0, -0.25, -0.5, -0.5])
    }

    @Test func shapeRewardsAddsThePunishmentWithTheCacheAQuarterOfTheBudget() throws {
        let dapo = try make(DAPO.self)
        var rewards: [Double] = [1, 1, -1, 1, 0]
        // 16 new tokens → L_cache 4, free up to 12.
        try dapo.shapeRewards(&rewards, rollout: rollout(groupSize: 5, maxNewTokens: 16, lengths: [10, 12, 13, 14, 16]))
        expectClose(rewards, [1, 1, -1.25, 0.5, -1])

        let tuned = try make(DAPO.self, ["overlong_cache_length": 8, "overlong_penalty_factor": 0.5])
        var more: [Double] = [0, 0]
        try tuned.shapeRewards(&more, rollout: rollout(groupSize: 2, maxNewTokens: 16, lengths: [8, 12]))
        expectClose(more, [0, -0.25])

        let tooLong = try make(DAPO.self, ["overlong_cache_length": 32])
        #expect(throws: PluginError.self) { try tooLong.shapeRewards(&more, rollout: rollout(groupSize: 2, lengths: [8, 12])) }

        let grpo = try make(GRPO.self)
        var untouched: [Double] = [1, 1]
        try grpo.shapeRewards(&untouched, rollout: rollout(groupSize: 2, maxNewTokens: 16, lengths: [16, 16]))
        #expect(untouched == [1, 1])
    }

    @Test func groupFilterKeepsGroupsWhoseMetricVaries() {
        #expect(groupsWithSignal([1, 0, 1, 1, 0, 1, 0, 0, 0.5, 0.5], groupSize: 2) == [true, false, true, false, false])
        #expect(groupsWithSignal([0.2, 0.2, 0.2], groupSize: 3) == [false])
    }

    @Test func keepGroupsFiltersOnSuccessOrReward() throws {
        let correct: [Double?] = [1, 0, 1, 1, 0, 0, 1, 1]
        let rewards: [Double] = [1, 1, 0.5, 0.7, 0, 0, 2, 2]   // shaped rewards can differ where success does not
        let r = rollout(groupSize: 2, lengths: Array(repeating: 3, count: 8), correct: correct)
        #expect(try make(DAPO.self).keepGroups(rewards: rewards, rollout: r) == [true, false, false, false])
        #expect(try make(DAPO.self, ["dynamic_sampling_metric": "reward"]).keepGroups(rewards: rewards, rollout: r)
                == [false, true, false, false])
        #expect(try make(DAPO.self, ["dynamic_sampling": false]).keepGroups(rewards: rewards, rollout: r) == [true, true, true, true])
    }

    @Test func groupsWithUnknownSuccessAreJudgedByRewardWithOneWarning() throws {
        let warnings = Mutex<[String]>([])
        let host = PluginHost { level, message in if level == .warning { warnings.withLock { $0.append(message) } } }
        let dapo = try make(DAPO.self, host: host)
        let r = rollout(groupSize: 2, lengths: [3, 3, 3, 3], correct: [1, nil, 0, 0])
        #expect(try dapo.keepGroups(rewards: [1, 0, 0.5, 0.5], rollout: r) == [true, false])
        #expect(try dapo.keepGroups(rewards: [1, 1, 0.5, 0.5], rollout: r) == [false, false])
        #expect(warnings.withLock { $0.count } == 1)
    }

    @Test func overlongFilteringZeroesTheMaskOfTruncatedCompletions() throws {
        let mask = try tensor([1, 1, 1, 1, 1, 0], [3, 2], .float32)
        #expect(try array(maskingTruncated(mask, truncated: [false, true, false])) == [1, 1, 0, 0, 1, 0])

        let rewards = try tensor([1, 0, 1, 0], nil, .float32)
        let tokens = try Tensor.ones([4, 3])
        let inputs = AdvantageInputs(rollout: rollout(groupSize: 4, maxNewTokens: 3, lengths: [3, 3, 3, 3], truncated: [false, true, false, false]),
                                     rewards: rewards, mask: tokens, oldLogProbs: tokens)
        let filtered = try make(DAPO.self, ["overlong_filtering": true]).advantages(inputs).advantages
        let kept = try make(DAPO.self).advantages(inputs).advantages
        let a = 0.5 / ((1.0 / 3).squareRoot() + 1e-6)   // the truncated completion still counts in its group's statistics
        expectClose(try array(filtered), [a, a, a, 0, 0, 0, a, a, a, -a, -a, -a], tolerance: 1e-6)
        expectClose(try array(kept), [a, a, a, -a, -a, -a, a, a, a, -a, -a, -a], tolerance: 1e-6)
    }
}
