import Engine

/// y = x·Wᵀ + b with W [out, in], named `<prefix>.weight` / `<prefix>.bias` as in PyTorch.
///
/// W is either dense or, after `quantize(blockSize:)`, a frozen 4-bit NF4 copy that each call
/// dequantizes for that call only, so a pass holds one dense layer at a time; in a pass that
/// records gradients the backward pass dequantizes W again instead of keeping it.
public final class Linear {
    private var dense: Tensor?
    /// The 4-bit weight, or nil while the layer is dense.
    public private(set) var quantizedWeight: QuantizedWeight?
    public var bias: Tensor?
    /// A low-rank update trained in place of the frozen weight (nil without LoRA).
    public var lora: LoRAAdapter?
    /// W and b in a lower precision for passes without gradients (sampling under mixed
    /// precision, see `Transformer.sampling(in:)`); nil computes with W itself.
    var lowPrecision: (weight: Tensor, bias: Tensor?)?
    public let inputs: Int
    public let outputs: Int

    public init(_ source: WeightSource, _ prefix: String, inputs: Int, outputs: Int, bias: Bool) throws {
        dense = try source.matrix("\(prefix).weight", shape: [outputs, inputs])
        self.bias = bias ? try source.tensor("\(prefix).bias", shape: [outputs], fill: .zeros) : nil
        self.inputs = inputs
        self.outputs = outputs
    }

    public init(weight: Tensor, bias: Tensor? = nil) {
        dense = weight
        self.bias = bias
        outputs = weight.size(0)
        inputs = weight.size(1)
    }

    public var isQuantized: Bool { quantizedWeight != nil }

    /// The dense W: the stored tensor, or a fresh dequantized copy (allocated on every read)
    /// when the layer is quantized.
    public var weight: Tensor {
        get throws {
            if let dense { return dense }
            guard let quantizedWeight else { throw ModelError("Linear [\(outputs), \(inputs)] holds no weight") }
            return try quantizedWeight.dequantized()
        }
    }

    /// Makes `weight` the layer's dense W, dropping any 4-bit copy (merging LoRA into a
    /// quantized layer ends here: re-quantizing would round the small update away).
    public func replaceWeight(with weight: Tensor) throws {
        guard weight.shape == [outputs, inputs] else {
            throw ModelError("Linear [\(outputs), \(inputs)]: a replacement weight must have that shape, got \(weight.shape)")
        }
        dense = weight
        quantizedWeight = nil
    }

    /// Replaces the dense W by a frozen NF4 copy (blocks of `blockSize` elements) and releases
    /// the dense tensor. The bias stays dense; a LoRA adapter keeps training on top.
    public func quantize(blockSize: Int = 64) throws {
        guard let dense else { throw ModelError("Linear [\(outputs), \(inputs)] is already 4-bit quantized") }
        quantizedWeight = try QuantizedWeight(quantizing: dense, blockSize: blockSize)
        self.dense = nil
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var base: Tensor
        // The copies carry no gradient to W, so a pass that records one computes with W.
        if let lowPrecision, !Autograd.isEnabled {
            base = try Self.multiply(x, lowPrecision: lowPrecision.weight, bias: lowPrecision.bias)
        } else if let quantizedWeight {
            base = try quantizedWeight.linear(x)
            if let bias { base = try base + bias }
        } else {
            base = try NN.linear(x, weight: weight, bias: bias)
        }
        guard let lora, lora.enabled else { return base }
        return try base + lora(x)
    }

    /// x·Wᵀ + b computed in W's lower precision, returned in x's dtype.
    static func multiply(_ x: Tensor, lowPrecision weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        try NN.linear(x.to(weight.dtype), weight: weight, bias: bias).to(x.dtype)
    }

    /// The dense tensors the layer holds, for optimisers and counts: a quantized W is not one
    /// of them (its codes cannot be trained), so only the bias is listed then.
    public func parameters(_ prefix: String) -> [(String, Tensor)] {
        (dense.map { [("\(prefix).weight", $0)] } ?? []) + (bias.map { [("\(prefix).bias", $0)] } ?? [])
    }
}
