import Engine
import Foundation

/// Rotary position embedding (RoPE) in the "rotate half" layout of Hugging Face's Qwen2 and
/// Llama: q·cos + rotate_half(q)·sin, with the cos/sin table computed once in float32.
public final class RotaryEmbedding {
    private let cos: Tensor  // [maxPositions, headDimension]
    private let sin: Tensor

    public init(headDimension: Int, maxPositions: Int, theta: Double,
                scaling: ModelConfiguration.RopeScaling? = nil, device: Device) throws {
        var inverse = stride(from: 0, to: headDimension, by: 2).map { 1 / Foundation.pow(theta, Double($0) / Double(headDimension)) }
        if let scaling { inverse = Self.llama3(inverse, scaling) }
        let positions = try Tensor.arange(0, Double(maxPositions), dtype: .float32, device: device)
        let frequencies = try positions.unsqueeze(1) * Tensor(inverse.map(Float.init), device: device).unsqueeze(0)
        let angles = try Tensor.cat([frequencies, frequencies], dim: 1)
        cos = try angles.cos()
        sin = try angles.sin()
    }

    /// Llama 3.1's scaling: long wavelengths slowed by `factor`, short ones kept, a smooth
    /// blend between.
    static func llama3(_ inverse: [Double], _ s: ModelConfiguration.RopeScaling) -> [Double] {
        let lowWavelength = Double(s.originalMaxPositions) / s.lowFrequencyFactor
        let highWavelength = Double(s.originalMaxPositions) / s.highFrequencyFactor
        return inverse.map { frequency in
            let wavelength = 2 * Double.pi / frequency
            if wavelength < highWavelength { return frequency }
            if wavelength > lowWavelength { return frequency / s.factor }
            let smooth = (Double(s.originalMaxPositions) / wavelength - s.lowFrequencyFactor)
                / (s.highFrequencyFactor - s.lowFrequencyFactor)
            return (1 - smooth) * frequency / s.factor + smooth * frequency
        }
    }

    /// cos and sin for `positions` [B, L], shaped [B, 1, L, D] to broadcast over heads.
    public func table(positions: Tensor, dtype: DType) throws -> (cos: Tensor, sin: Tensor) {
        let flat = try positions.reshape([-1])
        let shape = positions.shape + [cos.size(1)]
        func pick(_ t: Tensor) throws -> Tensor { try t.indexSelect(dim: 0, index: flat).reshape(shape).unsqueeze(1).to(dtype) }
        return (try pick(cos), try pick(sin))
    }

    /// Applies the rotation to x [B, H, L, D].
    public static func apply(_ x: Tensor, cos: Tensor, sin: Tensor) throws -> Tensor {
        try NN.rotaryEmbedding(x, cos: cos, sin: sin)
    }
}
