import RLRunABI

/// AdamW (Loshchilov & Hutter) with decoupled weight decay, as torch.optim.AdamW:
///   θ ← θ − lr·λ·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   θ ← θ − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps)
/// One fused libtorch kernel updates every parameter of a dtype and device at once.
public final class AdamW {
    public struct Options: Sendable, Equatable, Codable {
        public var beta1 = 0.9
        public var beta2 = 0.999
        public var eps = 1e-8
        public var weightDecay = 0.01

        public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
        }
    }

    public let parameters: [Tensor]
    public var options: Options
    private let expAvg: [Tensor]
    private let expAvgSq: [Tensor]
    private let steps: [Tensor]

    public init(parameters: [Tensor], options: Options = Options()) throws {
        self.parameters = parameters
        self.options = options
        expAvg = try parameters.map { try Tensor.zeros($0.shape, dtype: $0.dtype, device: $0.device) }
        expAvgSq = try parameters.map { try Tensor.zeros($0.shape, dtype: $0.dtype, device: $0.device) }
        steps = try parameters.map { try Tensor.zeros([], dtype: .float32, device: $0.device) }
    }

    /// Applies one update with learning rate `lr` to every parameter that has a gradient.
    public func step(lr: Double) throws { try step { _ in lr } }

    /// One update where parameter i takes the learning rate `rate(i)` (a critic's own, say).
    public func step(rate: (Int) -> Double) throws {
        var groups: [String: (lr: Double, members: [(index: Int, grad: Tensor)])] = [:]
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let lr = rate(i)
            groups["\(p.dtype)/\(p.device)/\(lr)", default: (lr, [])].members.append((i, grad))
        }
        for (lr, group) in groups.values {
            let lists = [group.map { parameters[$0.index] }, group.map(\.grad), group.map { expAvg[$0.index] },
                         group.map { expAvgSq[$0.index] }, group.map { steps[$0.index] }]
            let h = lists.map { $0.map { $0.handle as rt_tensor? } }
            try withExtendedLifetime(lists) {
                try check(api.pointee.adamw_step(h[0], h[1], h[2], h[3], h[4], Int32(group.count), lr, options.beta1,
                                        options.beta2, options.weightDecay, options.eps), "AdamW step")
            }
        }
    }

    /// Drops every parameter's gradient before the next accumulation.
    public func zeroGrad() throws {
        for p in parameters { try p.zeroGrad() }
    }

    /// Moment buffers and step counts by parameter index, for checkpoints.
    public func state() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for i in parameters.indices {
            state["\(i).exp_avg"] = expAvg[i]
            state["\(i).exp_avg_sq"] = expAvgSq[i]
            state["\(i).step"] = steps[i]
        }
        return state
    }

    /// Restores what `state()` returned; every entry must be present with matching shapes.
    public func load(state: [String: Tensor]) throws {
        for i in parameters.indices {
            for (name, buffer) in [("exp_avg", expAvg[i]), ("exp_avg_sq", expAvgSq[i]), ("step", steps[i])] {
                guard let saved = state["\(i).\(name)"] else {
                    throw TorchError("AdamW state: missing '\(i).\(name)' (the checkpoint has another parameter list)")
                }
                guard saved.shape == buffer.shape else {
                    throw TorchError("AdamW state: '\(i).\(name)' has shape \(saved.shape), parameter needs \(buffer.shape)")
                }
                try buffer.copyInPlace(from: saved)
            }
        }
    }
}
