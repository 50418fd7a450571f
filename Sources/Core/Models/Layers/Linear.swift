import Engine

/// y = x·Wᵀ + b with W [out, in], named `<prefix>.weight` / `<prefix>.bias` as in PyTorch.
public final class Linear {
    public var weight: Tensor
    public var bias: Tensor?
    /// A low-rank update trained in place of the frozen weight (nil without LoRA).
    public var lora: LoRAAdapter?

    public init(_ source: WeightSource, _ prefix: String, inputs: Int, outputs: Int, bias: Bool) throws {
        weight = try source.tensor("\(prefix).weight", shape: [outputs, inputs])
        self.bias = bias ? try source.tensor("\(prefix).bias", shape: [outputs], fill: .zeros) : nil
    }

    public init(weight: Tensor, bias: Tensor? = nil) {
        self.weight = weight
        self.bias = bias
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let base = try NN.linear(x, weight: weight, bias: bias)
        guard let lora, lora.enabled else { return base }
        return try base + lora(x)
    }

    public func parameters(_ prefix: String) -> [(String, Tensor)] {
        [("\(prefix).weight", weight)] + (bias.map { [("\(prefix).bias", $0)] } ?? [])
    }
}
