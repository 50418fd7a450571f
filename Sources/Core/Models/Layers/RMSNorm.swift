import Engine

/// RMS normalisation over the last dimension, computed in float32 and cast back, then scaled:
/// weight · (x / sqrt(mean(x²) + eps)), as Qwen2RMSNorm and LlamaRMSNorm do.
public final class RMSNorm {
    public var weight: Tensor
    public let eps: Double

    public init(_ source: WeightSource, _ prefix: String, size: Int, eps: Double) throws {
        weight = try source.tensor("\(prefix).weight", shape: [size], fill: .ones)
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        if x.dtype == .float32 { return try NN.rmsNorm(x, weight: weight, eps: eps) }
        return try NN.rmsNorm(x.to(.float32), weight: nil, eps: eps).to(x.dtype) * weight
    }

    public func parameters(_ prefix: String) -> [(String, Tensor)] { [("\(prefix).weight", weight)] }
}
