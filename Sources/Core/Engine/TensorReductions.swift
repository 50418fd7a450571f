import RLRunABI

// Reductions over dimensions. An empty `dims` list reduces over every dimension.

extension Tensor {
    @inline(__always)
    private func reduce(_ op: (rt_tensor?, UnsafePointer<Int64>?, Int32, Bool) -> rt_tensor?, _ dims: [Int],
                        _ keepDim: Bool, _ name: String) throws -> Tensor {
        try wrap(withInt64Buffer(dims) { op(handle, $0, $1, keepDim) }, "\(name)(\(shape), dims: \(dims))")
    }

    public func sum(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(api.pointee.sum, dims, keepDim, "sum") }
    public func mean(dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(api.pointee.mean, dims, keepDim, "mean") }
    public func logsumexp(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduce(api.pointee.logsumexp, dims, keepDim, "logsumexp")
    }
    public func amax(dims: [Int], keepDim: Bool = false) throws -> Tensor { try reduce(api.pointee.amax, dims, keepDim, "amax") }
    public func amin(dims: [Int], keepDim: Bool = false) throws -> Tensor { try reduce(api.pointee.amin, dims, keepDim, "amin") }

    public func sum(dim: Int, keepDim: Bool = false) throws -> Tensor { try sum(dims: [dim], keepDim: keepDim) }
    public func mean(dim: Int, keepDim: Bool = false) throws -> Tensor { try mean(dims: [dim], keepDim: keepDim) }

    /// Variance with `correction` subtracted from the count (1 = Bessel, as torch.var).
    public func variance(dims: [Int] = [], correction: Double = 1, keepDim: Bool = false) throws -> Tensor {
        try wrap(withInt64Buffer(dims) { api.pointee.var(handle, $0, $1, correction, keepDim) }, "var(\(shape), dims: \(dims))")
    }

    public func std(dims: [Int] = [], correction: Double = 1, keepDim: Bool = false) throws -> Tensor {
        try variance(dims: dims, correction: correction, keepDim: keepDim).sqrt()
    }

    public func max() throws -> Tensor { try amax(dims: []) }
    public func min() throws -> Tensor { try amin(dims: []) }
    public func any() throws -> Tensor { try unary(api.pointee.any, "any") }
    public func all() throws -> Tensor { try unary(api.pointee.all, "all") }

    @inline(__always)
    private func withIndices(_ name: String, _ call: (UnsafeMutablePointer<rt_tensor?>) -> rt_tensor?) throws
        -> (values: Tensor, indices: Tensor) {
        var indices: rt_tensor?
        let values = try wrap(call(&indices), "\(name)(\(shape))")
        return (values, try wrap(indices, name))
    }

    /// Largest values along `dim` and where they are.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try withIndices("max") { api.pointee.max_dim(handle, Int64(dim), keepDim, $0) }
    }

    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try withIndices("min") { api.pointee.min_dim(handle, Int64(dim), keepDim, $0) }
    }

    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try withIndices("sort") { api.pointee.sort(handle, Int64(dim), descending, $0) }
    }

    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        try withIndices("topk") { api.pointee.topk(handle, Int64(k), Int64(dim), largest, $0) }
    }

    public func argmax(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try wrap(api.pointee.argmax(handle, Int64(dim), keepDim), "argmax(\(shape), dim: \(dim))")
    }

    public func cumsum(dim: Int) throws -> Tensor {
        try wrap(api.pointee.cumsum(handle, Int64(dim)), "cumsum(\(shape), dim: \(dim))")
    }
}
