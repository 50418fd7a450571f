import RLRunABI

// Shape changes, slicing, joining and index-based selection.

extension Tensor {
    /// Same elements, new shape; one dimension may be -1. Shares storage when it can.
    public func reshape(_ shape: [Int]) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.reshape(handle, $0, $1) }, "reshape(\(self.shape) -> \(shape))")
    }

    /// Like `reshape` but never copies (fails on incompatible strides).
    public func view(_ shape: [Int]) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.view(handle, $0, $1) }, "view(\(self.shape) -> \(shape))")
    }

    /// Broadcasts size-1 dimensions to `shape` without copying (-1 keeps a dimension).
    public func expand(_ shape: [Int]) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.expand(handle, $0, $1) }, "expand(\(self.shape) -> \(shape))")
    }

    public func permute(_ dims: [Int]) throws -> Tensor {
        try wrap(withInt64Buffer(dims) { api.pointee.permute(handle, $0, $1) }, "permute(\(shape), \(dims))")
    }

    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        try wrap(api.pointee.transpose(handle, Int64(dim0), Int64(dim1)), "transpose(\(shape), \(dim0), \(dim1))")
    }

    public func unsqueeze(_ dim: Int) throws -> Tensor {
        try wrap(api.pointee.unsqueeze(handle, Int64(dim)), "unsqueeze(\(shape), \(dim))")
    }

    public func squeeze(_ dim: Int) throws -> Tensor {
        try wrap(api.pointee.squeeze(handle, Int64(dim)), "squeeze(\(shape), \(dim))")
    }

    public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
        try wrap(api.pointee.flatten(handle, Int64(start), Int64(end)), "flatten(\(shape), \(start), \(end))")
    }

    /// Elements start..<end (clamped, negative counts from the end) with a stride along `dim`.
    public func slice(dim: Int, start: Int = 0, end: Int = Int.max, step: Int = 1) throws -> Tensor {
        try wrap(api.pointee.slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step)),
                 "slice(\(shape), dim: \(dim), \(start)..<\(end) step \(step))")
    }

    /// The sub-tensor at `index` of `dim`, with that dimension removed.
    public func select(dim: Int, index: Int) throws -> Tensor {
        try wrap(api.pointee.select(handle, Int64(dim), Int64(index)), "select(\(shape), dim: \(dim), index: \(index))")
    }

    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        try wrap(withHandles(tensors) { api.pointee.cat($0, $1, Int64(dim)) }, "cat(\(tensors.map(\.shape)), dim: \(dim))")
    }

    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        try wrap(withHandles(tensors) { api.pointee.stack($0, $1, Int64(dim)) }, "stack(\(tensors.map(\.shape)), dim: \(dim))")
    }

    /// Each slice along `dim` repeated `repeats` times in place ([a, b] -> [a, a, b, b]).
    public func repeatInterleave(_ repeats: Int, dim: Int) throws -> Tensor {
        try wrap(api.pointee.repeat_interleave(handle, Int64(repeats), Int64(dim)), "repeat_interleave(\(shape), \(repeats))")
    }

    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime(index) { api.pointee.index_select(handle, Int64(dim), index.handle) },
                 "index_select(\(shape), dim: \(dim), index: \(index.shape))")
    }

    /// out[i][j] = self[i][index[i][j]] for dim 1 (and likewise for other dims).
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime(index) { api.pointee.gather(handle, Int64(dim), index.handle) },
                 "gather(\(shape), dim: \(dim), index: \(index.shape))")
    }

    /// A copy with out[i][index[i][j]] = source[i][j] for dim 1.
    public func scatter(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((index, source)) { api.pointee.scatter(handle, Int64(dim), index.handle, source.handle) },
                 "scatter(\(shape), dim: \(dim), index: \(index.shape))")
    }

    /// A copy with out[i][index[i][j]] += source[i][j] for dim 1.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try wrap(withExtendedLifetime((index, source)) { api.pointee.scatter_add(handle, Int64(dim), index.handle, source.handle) },
                 "scatter_add(\(shape), dim: \(dim), index: \(index.shape))")
    }

    /// A copy with `value` wherever the boolean `mask` (broadcast) is true.
    public func maskedFill(_ mask: Tensor, _ value: Double) throws -> Tensor {
        try wrap(withExtendedLifetime(mask) { api.pointee.masked_fill(handle, mask.handle, value) },
                 "masked_fill(\(shape), mask: \(mask.shape))")
    }

    /// Lower triangle (elements with column - row <= diagonal); the rest zero.
    public func tril(_ diagonal: Int = 0) throws -> Tensor { try wrap(api.pointee.tril(handle, Int64(diagonal)), "tril(\(shape))") }
    public func triu(_ diagonal: Int = 0) throws -> Tensor { try wrap(api.pointee.triu(handle, Int64(diagonal)), "triu(\(shape))") }
}
