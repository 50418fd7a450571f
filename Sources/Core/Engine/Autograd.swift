import RLRunABI

// Reverse-mode differentiation, delegated to libtorch's autograd engine.

extension Tensor {
    public var requiresGrad: Bool { api.pointee.requires_grad(handle) }

    /// Marks this tensor as a leaf whose gradient is accumulated by `backward()`; returns self.
    @discardableResult
    public func requiringGrad(_ enabled: Bool = true) throws -> Tensor {
        try check(api.pointee.set_requires_grad(handle, enabled), "requires_grad")
        return self
    }

    /// The accumulated gradient, or nil when none has been computed.
    public var grad: Tensor? { api.pointee.grad(handle).map { Tensor(owning: $0) } }

    /// Drops the accumulated gradient (the next backward pass starts from nothing).
    public func zeroGrad() throws { try check(api.pointee.zero_grad(handle), "zero_grad") }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. A non-scalar tensor needs the
    /// upstream `gradient`.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try check(withExtendedLifetime(gradient) { api.pointee.backward(handle, gradient?.handle, retainGraph) },
                  "backward(\(shape))")
    }

    /// The same values cut from the graph (no gradient flows through).
    public func detached() throws -> Tensor { try wrap(api.pointee.detach(handle), "detach") }

    // MARK: In-place updates (buffers and optimisers)

    public func copyInPlace(from source: Tensor) throws {
        try check(withExtendedLifetime(source) { api.pointee.copy_(handle, source.handle) }, "copy_(\(shape) <- \(source.shape))")
    }

    public func addInPlace(_ other: Tensor, alpha: Double = 1) throws {
        try check(withExtendedLifetime(other) { api.pointee.add_(handle, other.handle, alpha) }, "add_(\(shape), \(other.shape))")
    }

    public func multiplyInPlace(_ value: Double) throws { try check(api.pointee.mul_scalar_(handle, value), "mul_") }
    public func fillInPlace(_ value: Double) throws { try check(api.pointee.fill_(handle, value), "fill_") }
}

public enum Autograd {
    public static var isEnabled: Bool { api.pointee.grad_enabled() }

    /// Runs `body` with gradient recording on or off on this thread, restoring the previous mode.
    public static func withGradient<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = api.pointee.grad_enabled()
        api.pointee.set_grad_enabled(enabled)
        defer { api.pointee.set_grad_enabled(previous) }
        return try body()
    }
}

/// Runs `body` without recording operations for autograd (sampling, evaluation, reference
/// log-probs): faster and without memory held for a backward pass.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try Autograd.withGradient(false, body)
}

/// Runs `body` under libtorch's autocast for `device`: matmuls and linears compute in `dtype`
/// (bfloat16 or float16) while the weights, and the gradients AdamW sees, stay in their own
/// dtype (float32 masters); softmax, norms and losses stay float32. nil runs `body` as it is.
public func withAutocast<R>(_ dtype: DType?, device: Device, _ body: () throws -> R) throws -> R {
    guard let dtype else { return try body() }
    guard dtype == .bfloat16 || dtype == .float16 else {
        throw TorchError("autocast computes in bfloat16 or float16, not \(dtype)")
    }
    let code = device.code
    let previous = api.pointee.set_autocast(code.type, true, dtype.rawValue)
    guard previous >= 0 else { throw TorchError.last("autocast(\(dtype), \(device))") }
    defer { _ = api.pointee.set_autocast(code.type, previous == 1, dtype.rawValue) }
    return try body()
}
