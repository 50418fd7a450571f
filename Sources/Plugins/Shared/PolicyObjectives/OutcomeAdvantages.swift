import Engine

// Outcome advantages: one scalar reward per completion, compared within its group of G
// completions of the same prompt (groups are contiguous), then broadcast to every token.

/// How the group-centred rewards are scaled (TRL `scale_rewards`).
public enum RewardScaling: String, CaseIterable, Sendable {
    /// ÷ (std of the group + eps): GRPO.
    case group
    /// ÷ (std of the whole batch + eps), still centred on the group mean: Lite-PPO.
    case batch
    /// No division: Dr. GRPO, which finds the std term biases updates toward easy and hard prompts.
    case none
}

/// The outcome estimators by name, as verl registers them (`algorithm.adv_estimator`).
public enum OutcomeEstimator: String, CaseIterable, Sendable {
    /// A_i = (r_i − mean_g r) / (std_g r + eps), scaled as `RewardScaling` says.
    case grpo
    /// A_i = r_i − mean of the other G − 1 rewards (scaling does not apply).
    case rloo

    /// Advantages [N] of `rewards` [N]; `sum` adds values over the processes of a data-parallel
    /// run, for the batch-wide std.
    public func callAsFunction(rewards: Tensor, groupSize: Int, scaling: RewardScaling, eps: Double,
                               sum: ([Double]) throws -> [Double] = { $0 }) throws -> Tensor {
        switch self {
        case .grpo: try groupNormalizedAdvantages(rewards: rewards, groupSize: groupSize, scaling: scaling, eps: eps, sum: sum)
        case .rloo: try leaveOneOutAdvantages(rewards: rewards, groupSize: groupSize)
        }
    }
}

/// GRPO's advantage (DeepSeekMath): A_i = (r_i − mean_g r) / (std_g r + eps), std with
/// Bessel's correction as in TRL and verl. verl's rule for a group of one: mean 0, std 1 (the
/// reward itself, a REINFORCE signal without baseline). Computed in float64, returned in the
/// rewards' dtype. The batch-wide std covers every process of a data-parallel run: `sum`
/// adds values over them (each process must call alike, with no rows if it holds none).
public func groupNormalizedAdvantages(rewards: Tensor, groupSize: Int, scaling: RewardScaling, eps: Double,
                                      sum: ([Double]) throws -> [Double] = { $0 }) throws -> Tensor {
    let r = try rewards.to(.float64).reshape([-1, groupSize])
    let lone = groupSize == 1
    let zero = try Tensor.zeros([], dtype: .float64, device: r.device)
    let one = try Tensor.ones([], dtype: .float64, device: r.device)
    let centred = try withoutSignalFromEqualGroups(r - (lone ? zero : r.mean(dim: 1, keepDim: true)), rewards: r)
    let std: Tensor
    switch scaling {
    case .none: return try centred.reshape([-1]).to(rewards.dtype)
    case .group: std = try lone ? one : r.std(dims: [1], keepDim: true)
    case .batch: std = try Tensor.full([], batchStd(r, sum: sum), dtype: .float64, device: r.device)
    }
    return try (centred / (std + eps)).reshape([-1]).to(rewards.dtype)
}

/// The std (Bessel) of every reward of the batch, over all processes; 1 for a single reward.
func batchStd(_ r: Tensor, sum: ([Double]) throws -> [Double]) throws -> Double {
    let totals = try sum([r.sum().item(), Double(r.count)])
    let n = totals[1]
    guard n > 1 else { return 1 }
    let squares = try sum([(r - totals[0] / n).square().sum().item()])[0]
    return (squares / (n - 1)).squareRoot()
}

/// RLOO (Kool et al. 2019; Ahmadian et al. 2024): the baseline of completion i is the mean
/// reward of the other G − 1 completions, which keeps the estimate unbiased. A group of one
/// keeps its reward (verl).
public func leaveOneOutAdvantages(rewards: Tensor, groupSize: Int) throws -> Tensor {
    guard groupSize > 1 else { return rewards }
    let r = try rewards.to(.float64).reshape([-1, groupSize])
    let others = try (r.sum(dim: 1, keepDim: true) - r) / Double(groupSize - 1)
    return try withoutSignalFromEqualGroups(r - others, rewards: r).reshape([-1]).to(rewards.dtype)
}

/// A group whose rewards are all equal carries no signal: its advantages are exactly 0, not
/// the rounding residue of r − mean (which the std division would blow up).
func withoutSignalFromEqualGroups(_ centred: Tensor, rewards r: Tensor) throws -> Tensor {
    guard r.size(1) > 1 else { return centred }
    let equal = try r.amax(dims: [1], keepDim: true).eq(r.amin(dims: [1], keepDim: true))
    return try Tensor.where(equal, Tensor.zeros([], dtype: centred.dtype, device: centred.device), centred)
}

/// One advantage per completion [N] → every valid token of it [N, T], 0 on padding.
public func broadcastOverTokens(_ advantages: Tensor, mask: Tensor) throws -> Tensor {
    try advantages.to(mask.dtype).unsqueeze(1).expand(mask.shape).keeping(mask)
}
