import Engine
import RLRunSDK

/// One dynamic-sampling round's completions, with or without a screen.
///
/// With `screening_samples: k` (SPEED's screening, Zhang et al. 2025) each prompt first gets k
/// completions; the algorithm's group filter (after its reward shaping) judges those k, and only
/// the prompts that pass get the other `group_size - k`. A near-deterministic policy answers
/// most prompts all right or all wrong, and those are then dropped after k samples instead of a
/// whole group. Each reward scores the completions of one sampling call together, so a reward
/// that compares completions with each other sees a screen and its rest apart.
struct SampledRound {
    /// Whole groups of this rank's share that passed the screen (every group without one).
    var groups: GeneratedBatch
    /// Their positions in the share.
    var passed: [Int]
    /// Every completion sampled, screens included, and the groups the screen dropped
    /// (`screened_out`).
    var totals: RolloutTotals
}

extension Trainer {
    /// - share: the round's groups this rank samples, of `total`.
    func sampleRound(_ items: [DatasetItem], round: Int, share: Range<Int>, total: Int, sources: [String]) throws -> SampledRound {
        // The rows of every rank's call, so N ranks sample what one process would.
        func collect(_ items: [DatasetItem], size: Int, groups: Range<Int>, of totalGroups: Int, phase: UInt64,
                     sources: [String]) throws -> GeneratedBatch {
            let collector = RolloutCollector(policy: policy, rewards: rewards, groupSize: size, sampling: sampling,
                                             precision: configuration.autocast)
            let (generator, noise) = try roundNoise(round: round, groups: groups, totalGroups: totalGroups, size: size, phase: phase)
            return try withNoGrad { try collector.collect(items, generator: generator, noise: noise, sources: sources) }
        }
        guard let screen = configuration.screeningSamples else {
            let batch = try collect(items, size: groupSize, groups: share, of: total, phase: 0, sources: sources)
            return SampledRound(groups: batch, passed: Array(items.indices), totals: RolloutTotals(batch))
        }
        let screened = try collect(items, size: screen, groups: share, of: total, phase: 0, sources: sources)
        var shaped = screened.rewards
        let rollout = screened.rollout(maxNewTokens: configuration.maxNewTokens)
        try algorithm.shapeRewards(&shaped, rollout: rollout)
        let pass = try algorithm.keepGroups(rewards: shaped, rollout: rollout)
        let passed = pass.indices.filter { pass[$0] }
        // The rest's rows are numbered over every rank's passing groups, in round order.
        let overall = try globalFlags(pass, share: share, total: total)
        let before = overall.prefix(share.lowerBound).filter { $0 }.count
        var rest = GeneratedBatch(groupSize: groupSize - screen)
        if !passed.isEmpty {
            rest = try collect(passed.map { items[$0] }, size: groupSize - screen, groups: before..<(before + passed.count),
                               of: overall.filter { $0 }.count, phase: 1, sources: passed.map { sources[$0] })
        }
        let joined = GeneratedBatch.joining(screened: screened, passed: passed, rest: rest)
        var dropped = GeneratedBatch(groupSize: screen)
        dropped.append(screened, keepingGroups: pass.map { !$0 })
        var totals = RolloutTotals(dropped)
        totals.add(RolloutTotals(joined))
        totals.sums["screened_out"] = Double(pass.count - passed.count)
        return SampledRound(groups: joined, passed: passed, totals: totals)
    }
}
