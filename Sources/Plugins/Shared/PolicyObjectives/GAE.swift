import Engine

// Token-level advantages for PPO with a critic (InstructGPT, TRL PPOTrainer, verl): the reward
// arrives per token, the critic's values give the baseline, GAE trades bias for variance.

/// PPO's per-token rewards: r_t = −β·kl_t on every valid token and the sequence score added
/// at the last valid one, so the reward model is paid once, at the end, and every token pays
/// for drifting from the reference. `kl` [N, T] is the per-token estimate (k1: logp_old −
/// logp_ref); `scores` [N]. A row without valid tokens gets nothing.
public func tokenRewards(scores: Tensor, kl: Tensor?, beta: Double, mask: Tensor) throws -> Tensor {
    let length = mask.size(1)
    let positions = try Tensor.arange(1, Double(length) + 1, dtype: mask.dtype, device: mask.device)
    let lastValid = try (positions * mask.gt(0).to(mask.dtype)).argmax(dim: 1, keepDim: true)
    let score = try Tensor.zeros(mask.shape, dtype: mask.dtype, device: mask.device)
        .scatter(dim: 1, index: lastValid, source: scores.to(mask.dtype).unsqueeze(1))
    guard let kl, beta != 0 else { return try score.keeping(mask) }
    return try (score - kl.keeping(mask).to(mask.dtype) * beta).keeping(mask)
}

/// Generalised advantage estimation (Schulman et al. 2016), as verl computes it, backwards
/// over each completion: δ_t = r_t + γV_{t+1} − V_t, A_t = δ_t + γλA_{t+1}, R_t = A_t + V_t.
/// V beyond the last valid token is 0 (the episode ends there). Tokens outside the mask
/// inside a completion (tool output, say) are stepped over: V and A carry through them.
/// Returns advantages and returns [N, T], 0 on padding; no gradient (a plain loop over
/// host arrays, in float64).
public func generalizedAdvantageEstimation(tokenRewards: Tensor, values: Tensor, mask: Tensor, gamma: Double,
                                           lambda: Double) throws -> (advantages: Tensor, returns: Tensor) {
    let (rows, length) = (mask.size(0), mask.size(1))
    let r = try tokenRewards.toArray(Double.self)
    let v = try values.toArray(Double.self)
    let m = try mask.toArray(Double.self)
    var advantages = [Double](repeating: 0, count: rows * length)
    var returns = advantages
    for i in 0..<rows {
        var nextValue = 0.0
        var nextAdvantage = 0.0
        for t in stride(from: length - 1, through: 0, by: -1) where m[i * length + t] > 0 {
            let k = i * length + t
            let delta = r[k] + gamma * nextValue - v[k]
            nextAdvantage = delta + gamma * lambda * nextAdvantage
            nextValue = v[k]
            advantages[k] = nextAdvantage
            returns[k] = nextAdvantage + v[k]
        }
    }
    return (try Tensor(advantages, shape: [rows, length], device: mask.device).to(mask.dtype),
            try Tensor(returns, shape: [rows, length], device: mask.device).to(mask.dtype))
}
