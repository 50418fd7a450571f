import Engine

extension Trainer {
    /// The update without the groups whose advantages are all zero, when they cannot change the
    /// gradient: the algorithm says such sequences add nothing to its loss
    /// (`zeroAdvantageIsInert`: no KL or entropy term), there is no critic and no entropy bonus.
    /// With outcome rewards a group whose completions all pass or all fail is common, and its
    /// forward and backward passes are pure cost. The step's token and sequence counts, taken
    /// before, still include these groups, so the loss is normalised as if they were there.
    /// The entropy metric then covers the sequences trained, so the controls that act on
    /// entropy (an entropy floor, the stop on collapse) keep every group.
    /// nil where nothing would be left out (or everything would: Adam still steps on zero gradients).
    func withoutInertGroups(_ prepared: PreparedUpdate, of kept: GeneratedBatch) throws -> (PreparedUpdate, GeneratedBatch)? {
        let entropyControls = configuration.stability.entropyFloor != nil || configuration.stability.stopOnCollapse
        guard configuration.skipInertGroups, requirements.zeroAdvantageIsInert, critic == nil, stability.entropyBonus == 0,
              !entropyControls, !policy.model.configuration.maskedDiffusion, kept.groupSize > 0 else { return nil }
        let perRow = try (prepared.advantages * prepared.scoring.mask).abs().sum(dim: 1).toArray(Float.self)
        let active = (0..<kept.groupCount).map { g in perRow[(g * kept.groupSize)..<((g + 1) * kept.groupSize)].contains { $0 != 0 } }
        guard active.contains(true), active.contains(false) else { return nil }
        var trained = GeneratedBatch(groupSize: kept.groupSize)
        trained.append(kept, keepingGroups: active)
        let made = try makeScoring(trained)
        let rows = active.indices.filter { active[$0] }.flatMap { g in (g * kept.groupSize)..<((g + 1) * kept.groupSize) }
        let advantages = try prepared.advantages.indexSelect(dim: 0, index: Tensor(rows.map(Int64.init), device: policy.model.device))
            .slice(dim: 1, end: made.scoring.mask.size(1))
        let update = PreparedUpdate(scoring: made.scoring, advantages: advantages, returns: nil, oldValues: nil,
                                    metrics: prepared.metrics)
        return (update, trained)
    }
}
