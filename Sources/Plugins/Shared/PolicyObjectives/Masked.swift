import Engine

// Reductions over the valid tokens of a completion batch. The mask is 1 on completion tokens
// (up to and including EOS) and 0 on padding. Padding may hold anything, even non-finite
// log-probs, so values are selected with `where` before any non-linear op touches them
// (0 · inf would put NaN into the gradient), and a batch without valid tokens gives 0, not 0/0.

extension Tensor {
    /// These values where `mask` is set, 0 elsewhere; the gradient at padding is exactly 0.
    public func keeping(_ mask: Tensor) throws -> Tensor {
        try Tensor.where(mask.gt(0), self, Tensor.zeros([], dtype: dtype, device: device))
    }
}

public enum Masked {
    /// Number of valid tokens.
    public static func count(_ mask: Tensor) throws -> Double { try mask.gt(0).sum().item() }

    public static func sum(_ x: Tensor, _ mask: Tensor) throws -> Tensor { try x.keeping(mask).sum() }

    /// Mean over valid tokens; 0 when there are none.
    public static func mean(_ x: Tensor, _ mask: Tensor) throws -> Tensor {
        try sum(x, mask) / Swift.max(count(mask), 1)
    }

    /// Variance over valid tokens with Bessel's correction (verl and TRL `masked_var`); 0 for
    /// fewer than two tokens.
    public static func variance(_ x: Tensor, _ mask: Tensor) throws -> Tensor {
        let n = try count(mask)
        let centred = try x - mean(x, mask)
        return try sum(centred.square(), mask) / Swift.max(n - 1, 1)
    }

    /// (x − mean) / sqrt(var + eps) over valid tokens, 0 on padding: PPO's advantage
    /// whitening (verl and TRL `masked_whiten`). `sum` adds the statistics' sums over the
    /// processes of a data-parallel run, so every process whitens with the whole batch's.
    public static func whiten(_ x: Tensor, _ mask: Tensor, eps: Double = 1e-8,
                              sum: ([Double]) throws -> [Double] = { $0 }) throws -> Tensor {
        let totals = try sum([Masked.sum(x, mask).item(), count(mask)])
        let n = totals[1]
        let centred = try x - totals[0] / Swift.max(n, 1)
        let squares = try sum([Masked.sum(centred.square(), mask).item()])[0]
        let variance = squares / Swift.max(n - 1, 1)
        return try (centred * (1 / (variance + eps).squareRoot())).keeping(mask)
    }

    /// Mean of a boolean condition over valid tokens: the fraction of tokens where it holds.
    public static func fraction(_ condition: Tensor, _ mask: Tensor) throws -> Double {
        try mean(condition.to(.float64), mask).item()
    }
}
