/// What DAPO's dynamic sampling compares within a group (verl `filter_groups.metric`).
public enum DynamicSamplingMetric: String, CaseIterable, Sendable {
    /// Task success (1 or 0) as the reward plugin reports it.
    case acc
    /// The (shaped) scalar reward.
    case reward
}

/// DAPO's dynamic sampling filter (verl `filter_groups`): keep a group only when its metric
/// varies (std > 0). A group that is all right or all wrong has zero advantage everywhere, so
/// it adds no gradient and only dilutes the batch. One flag per group of `groupSize`
/// consecutive values.
public func groupsWithSignal(_ metric: [Double], groupSize: Int) -> [Bool] {
    stride(from: 0, to: metric.count, by: groupSize).map { start in
        let group = metric[start..<Swift.min(start + groupSize, metric.count)]
        return group.contains { $0 != group.first }
    }
}
