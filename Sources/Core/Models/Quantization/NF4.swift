import Engine

/// NormalFloat-4 (QLoRA, Dettmers et al. 2023): 16 levels placed at quantiles of N(0, 1),
/// scaled to [-1, 1], with an exact zero. A weight divided by its block's absolute maximum is
/// stored as the index (0...15) of the nearest level. Codes are packed two per byte, the
/// earlier element in the high nibble, as bitsandbytes does.
public enum NF4 {
    /// bitsandbytes' table (`get_4bit_type("nf4")`), lowest first.
    public static let levels: [Float] = [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]

    /// Half-way points between neighbouring levels: a value is nearest to level i exactly when
    /// it lies above i of them (a value on a midpoint goes to the lower level, as in bitsandbytes).
    static let midpoints: [Float] = zip(levels, levels.dropFirst()).map { ($0 + $1) / 2 }

    /// Codes (uint8 0...15, same shape) of `normalized` values in [-1, 1]: the count of
    /// midpoints below each value. Fifteen comparisons, each added into a one-byte counter,
    /// keep memory near one copy of the input, where a nearest-of-16 search would hold 16.
    static func codes(of normalized: Tensor) throws -> Tensor {
        var codes = try Tensor.zeros(normalized.shape, dtype: .uint8, device: normalized.device)
        for midpoint in midpoints { codes = try codes + normalized.gt(Double(midpoint)) }
        return codes
    }

    /// Codes [n] (any numeric dtype, values 0...15, n even) → bytes [n / 2], code 2i in the high
    /// nibble. Plain arithmetic: the engine has no bitwise operations, and none are needed.
    static func pack(_ codes: Tensor) throws -> Tensor {
        guard codes.rank == 1, codes.count % 2 == 0 else {
            throw ModelError("NF4.pack needs an even number of codes in one dimension, got shape \(codes.shape)")
        }
        let pairs = try codes.to(.float32).reshape([-1, 2])
        return try (pairs.select(dim: 1, index: 0) * 16 + pairs.select(dim: 1, index: 1)).to(.uint8)
    }

    /// Bytes [m] → codes [2m] (uint8 0...15), the inverse of `pack`.
    static func unpack(_ packed: Tensor) throws -> Tensor {
        let bytes = try packed.to(.float32)
        let high = try (bytes / 16).floor()
        let low = try bytes - high * 16
        return try Tensor.stack([high, low], dim: 1).reshape([-1]).to(.uint8)
    }

    /// [256, 2] float32: the two levels a packed byte stands for (high nibble, low nibble), so
    /// dequantizing is one index_select per layer instead of unpacking and two look-ups.
    static func levelPairs(device: Device) throws -> Tensor {
        var pairs: [Float] = []
        pairs.reserveCapacity(512)
        for byte in 0..<256 { pairs += [levels[byte / 16], levels[byte % 16]] }
        return try Tensor(pairs, shape: [256, 2], device: device)
    }
}
