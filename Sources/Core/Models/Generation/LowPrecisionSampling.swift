import Engine

extension Transformer {
    /// Runs `body` (sampling, without gradients) with every dense projection and the head
    /// multiplying in `dtype`, from copies of the float32 weights made for this call: the
    /// mixed precision of a training run's forward passes (`autocast`), for its rollouts too.
    /// Norms, attention, the KV cache and the logits stay in the compute dtype. On a CPU with
    /// native bf16 a bf16 matmul of the 64 rows a decoding step multiplies runs 2-5x faster than
    /// float32; the copies cost one conversion of the weights per call and, while it lasts,
    /// half the float32 weights' memory again. nil, or the compute
    /// dtype itself, runs `body` as it is.
    public func sampling<R>(in lowPrecision: DType?, _ body: () throws -> R) throws -> R {
        guard let lowPrecision, lowPrecision != dtype, weightDType == dtype else { return try body() }
        guard lowPrecision == .bfloat16 || lowPrecision == .float16 else {
            throw ModelError("sampling computes in bfloat16 or float16, not \(lowPrecision)")
        }
        let layers = projections(LoRAConfiguration.allProjections).map(\.1).filter { !$0.isQuantized } + (head.map { [$0] } ?? [])
        defer {
            for layer in layers { layer.lowPrecision = nil }
            tiedHeadLowPrecision = nil
        }
        try withNoGrad {
            for layer in layers { layer.lowPrecision = (try layer.weight.to(lowPrecision), try layer.bias?.to(lowPrecision)) }
            if head == nil { tiedHeadLowPrecision = try embedding.to(lowPrecision) }
        }
        return try body()
    }
}
