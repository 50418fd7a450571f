import Engine
import Foundation
import Models

/// How the trainer shares a step among the ranks of a data-parallel run. Every rank reads
/// the same prompts; rank r generates, scores and trains on its contiguous share of the
/// groups (a group never spans ranks, so group statistics stay local); whatever a decision or
/// a metric needs from the whole batch is summed over the ranks; gradients are summed before
/// every optimizer step, so all ranks take the same step and stay identical.
extension Trainer {
    public var rank: Int { group?.rank ?? 0 }
    public var worldSize: Int { group?.worldSize ?? 1 }

    /// This rank's contiguous share of `count` groups.
    func share(of count: Int) -> Range<Int> {
        (count * rank / worldSize)..<(count * (rank + 1) / worldSize)
    }

    /// The random draws of one generation round, derived from the seed, the step and the
    /// round: the same on every rank (each takes its rows of the whole batch), and
    /// independent of how many draws earlier rounds made.
    /// - size: completions per group (a screen's or the rest's, when screening; default the group's).
    /// - phase: 0 for whole groups or a screen, 1 for the rest of the screened groups.
    func roundNoise(round: Int, groups: Range<Int>, totalGroups: Int, size: Int? = nil, phase: UInt64 = 0) throws -> (Generator, SamplingNoise) {
        let seed = Self.mix(UInt64(truncatingIfNeeded: configuration.seed), UInt64(step), UInt64(round), phase)
        let generator = try Generator(seed: seed, device: policy.model.device)
        let size = size ?? groupSize
        let noise = SamplingNoise(generator: generator, offset: groups.lowerBound * size, totalRows: totalGroups * size)
        return (generator, noise)
    }

    /// SplitMix64 over the parts: well-spread seeds from small, similar numbers.
    static func mix(_ parts: UInt64...) -> UInt64 {
        parts.reduce(0x243F_6A88_85A3_08D3) { state, part in
            var z = state ^ (part &+ 0x9E37_79B9_7F4A_7C15 &+ (state << 6) &+ (state >> 2))
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The whole round's group flags from each rank's flags for its share.
    func globalFlags(_ local: [Bool], share: Range<Int>, total: Int) throws -> [Bool] {
        guard let group else { return local }
        var slots = [Double](repeating: 0, count: total)
        for (i, flag) in local.enumerated() where flag { slots[share.lowerBound + i] = 1 }
        return try group.sum(slots).map { $0 > 0.5 }
    }

    /// Which of this rank's groups (`share` of the round, kept where `keep` says) train: those
    /// whose place among every rank's kept groups, counted in (round, group) order after the
    /// `keptBefore` of earlier rounds, is below `wanted`, exactly the first `wanted` one process
    /// would keep.
    static func groupsThatTrain(keep: [Bool], overall: [Bool], share: Range<Int>, keptBefore: Int, wanted: Int) -> [Bool] {
        var place = keptBefore + overall.prefix(share.lowerBound).filter { $0 }.count
        return keep.map { kept in
            defer { if kept { place += 1 } }
            return kept && place < wanted
        }
    }

    /// Sums over the ranks of named quantities; a name that only some ranks have counts as 0
    /// on the others.
    func globalSums(_ values: [String: Double]) throws -> [String: Double] {
        guard let group else { return values }
        let names = try group.allGather(Array(values.keys.sorted().joined(separator: "\n").utf8))
            .flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        let union = Array(Set(names)).sorted()
        let sums = try group.sum(union.map { values[$0] ?? 0 })
        return Dictionary(uniqueKeysWithValues: zip(union, sums))
    }

    func globalMax(_ value: Double) throws -> Double {
        guard let group else { return value }
        return try group.reduce([value], .max)[0]
    }

    /// True on every rank when it is true on any (e.g. one rank was asked to stop).
    public func anyRank(_ flag: Bool) throws -> Bool { try globalMax(flag ? 1 : 0) > 0 }

    /// Rank 0's trainable weights (adapters, or every weight, and the critic) on every rank
    /// before the first step; a frozen base is read from the same files everywhere.
    func broadcastWeights() throws {
        guard let group else { return }
        try group.broadcast(trainable, root: 0)
    }
}

/// A step's rollout statistics as sums, so that ranks can add theirs before the means.
struct RolloutTotals {
    var sums: [String: Double] = [:]
    var longest = 0.0

    init() {}

    /// Both batches' statistics, as if they were one.
    mutating func add(_ other: RolloutTotals) {
        sums.merge(other.sums, uniquingKeysWith: +)
        longest = max(longest, other.longest)
    }

    init(_ batch: GeneratedBatch) {
        sums["count"] = Double(batch.count)
        sums["groups"] = Double(batch.groupCount)
        sums["reward"] = batch.rewards.reduce(0, +)
        sums["reward_squared"] = batch.rewards.map { $0 * $0 }.reduce(0, +)
        for (name, component) in batch.components {
            if case .numbers(let values) = component { sums["reward/\(name)"] = values.reduce(0, +) }
        }
        let known = batch.correct.compactMap { $0 }
        if !known.isEmpty {
            sums["correct"] = known.reduce(0, +)
            sums["correct_known"] = Double(known.count)
        }
        sums["tokens"] = Double(batch.completions.map(\.count).reduce(0, +))
        sums["truncated"] = Double(batch.stopReasons.filter { $0 == .length }.count)
        // Groups whose completions are all the same text: a sign of collapse, and no signal.
        sums["identical_groups"] = Double((0..<batch.groupCount).filter { g in
            Set(batch.texts[(g * batch.groupSize)..<((g + 1) * batch.groupSize)]).count == 1
        }.count)
        longest = Double(batch.completions.map(\.count).max() ?? 0)
    }

    var metrics: [String: Double] {
        var metrics: [String: Double] = [:]
        let n = max(1, sums["count"] ?? 0)
        let mean = (sums["reward"] ?? 0) / n
        metrics["reward_mean"] = mean
        metrics["reward_std"] = max(0, (sums["reward_squared"] ?? 0) / n - mean * mean).squareRoot()
        for (name, sum) in sums where name.hasPrefix("reward/") { metrics[name] = sum / n }
        if let known = sums["correct_known"], known > 0 { metrics["accuracy"] = (sums["correct"] ?? 0) / known }
        metrics["completion_length_mean"] = (sums["tokens"] ?? 0) / n
        metrics["completion_length_max"] = longest
        metrics["truncated_fraction"] = (sums["truncated"] ?? 0) / n
        metrics["identical_groups_fraction"] = (sums["identical_groups"] ?? 0) / max(1, sums["groups"] ?? 0)
        return metrics
    }
}
