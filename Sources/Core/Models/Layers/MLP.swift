import Engine

/// SwiGLU feed-forward: down(silu(gate(x)) · up(x)).
public final class MLP {
    public let gate, up, down: Linear

    public init(_ source: WeightSource, _ prefix: String, hidden: Int, intermediate: Int) throws {
        gate = try Linear(source, "\(prefix).gate_proj", inputs: hidden, outputs: intermediate, bias: false)
        up = try Linear(source, "\(prefix).up_proj", inputs: hidden, outputs: intermediate, bias: false)
        down = try Linear(source, "\(prefix).down_proj", inputs: intermediate, outputs: hidden, bias: false)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try down(gate(x).silu() * up(x)) }

    func parameters(_ prefix: String) -> [(String, Tensor)] {
        gate.parameters("\(prefix).gate_proj") + up.parameters("\(prefix).up_proj") + down.parameters("\(prefix).down_proj")
    }
}
