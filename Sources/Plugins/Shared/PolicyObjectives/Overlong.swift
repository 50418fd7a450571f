import Engine

/// DAPO's soft overlong punishment (arXiv 2503.14476, eq. 13), added to the task reward: a
/// completion that runs into the last `cacheLength` tokens of the budget loses reward in
/// proportion to how far it went, so the policy learns to stop before truncation instead of
/// being cut off with no signal about why.
///
///     R_len(|y|) = 0                                   |y| ≤ L_max − L_cache
///                = ((L_max − L_cache) − |y|) / L_cache  L_max − L_cache < |y| ≤ L_max
///                = −1                                   |y| > L_max
///
/// times `factor` (verl `overlong_penalty_factor`).
public struct SoftOverlongPunishment: Sendable, Equatable {
    /// L_max: the generation budget.
    public var maxLength: Int
    /// L_cache: the length of the punished zone at its end, 0 < L_cache ≤ L_max.
    public var cacheLength: Int
    public var factor: Double

    public init(maxLength: Int, cacheLength: Int, factor: Double = 1) {
        self.maxLength = maxLength
        self.cacheLength = cacheLength
        self.factor = factor
    }

    public func penalty(length: Int) -> Double {
        let expected = maxLength - cacheLength
        if length <= expected { return 0 }
        if length > maxLength { return -factor }
        return Double(expected - length) / Double(cacheLength) * factor
    }
}

/// DAPO's overlong filtering (TRL `mask_truncated_completions`): a completion cut off by the
/// budget has no EOS, so its reward says nothing about how it would have ended; its whole mask
/// is zeroed and it drops out of the loss.
public func maskingTruncated(_ mask: Tensor, truncated: [Bool]) throws -> Tensor {
    let keep = try Tensor(truncated.map { $0 ? 0.0 : 1.0 }, shape: [truncated.count, 1], device: mask.device)
    return try mask * keep.to(mask.dtype)
}
