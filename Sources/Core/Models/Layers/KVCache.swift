import Engine

/// Keys and values of every layer for incremental decoding, preallocated to `capacity`
/// positions so that each step writes in place instead of re-concatenating.
public final class KVCache {
    public let capacity: Int
    /// Positions filled so far (the same for every row of the batch; padding is masked).
    public private(set) var length = 0
    private var keys: [Tensor]
    private var values: [Tensor]

    public init(layers: Int, batch: Int, keyValueHeads: Int, headDimension: Int, capacity: Int,
                dtype: DType, device: Device) throws {
        self.capacity = capacity
        let shape = [batch, keyValueHeads, capacity, headDimension]
        keys = try (0..<layers).map { _ in try Tensor.zeros(shape, dtype: dtype, device: device) }
        values = try (0..<layers).map { _ in try Tensor.zeros(shape, dtype: dtype, device: device) }
    }

    /// Stores the new keys/values [B, Hkv, L, D] of `layer` after the filled positions and
    /// returns all of them so far.
    func append(layer: Int, keys newKeys: Tensor, values newValues: Tensor) throws -> (Tensor, Tensor) {
        let count = newKeys.size(2)
        guard length + count <= capacity else {
            throw ModelError("KV cache full: \(length) + \(count) positions exceed its capacity \(capacity)")
        }
        try keys[layer].slice(dim: 2, start: length, end: length + count).copyInPlace(from: newKeys)
        try values[layer].slice(dim: 2, start: length, end: length + count).copyInPlace(from: newValues)
        return (try keys[layer].slice(dim: 2, start: 0, end: length + count),
                try values[layer].slice(dim: 2, start: 0, end: length + count))
    }

    /// Marks `count` more positions as filled (after every layer has appended them).
    func advance(by count: Int) { length += count }

    /// Keeps only the rows in `indices`, in that order (sequences still generating, or a
    /// prompt's row repeated for each of its completions).
    public func keepRows(_ indices: Tensor) throws {
        keys = try keys.map { try $0.indexSelect(dim: 0, index: indices) }
        values = try values.map { try $0.indexSelect(dim: 0, index: indices) }
    }
}
