import Testing
import TorchShim
@testable import Engine

/// float32 linear layers through oneDNN's matmul (onednn_linear.cpp) against libtorch's
/// at::linear on the same tensors: outputs and the gradients of x, W and b. Both switches are
/// set for this test's thread only.
@Suite struct OneDNNLinearTests {
    /// Whether this libtorch has oneDNN at all (asked on a thread that forces it on).
    static let available: Bool = {
        rt_set_onednn_linear(1)
        defer { rt_set_onednn_linear(-1) }
        return rt_onednn_linear_enabled()
    }()

    /// y = linear(x, W, b), then the gradients of sum(y²) for the operands that require them.
    func pass(oneDNN: Bool, x: Tensor, w: Tensor, bias: Tensor?, trained: Set<String>) throws -> RecordedPass {
        rt_set_onednn_linear(oneDNN ? 1 : 0)
        rt_set_decode_linear_enabled(false)  // every row count through the path under test
        defer {
            rt_set_onednn_linear(-1)
            rt_set_decode_linear_enabled(true)
        }
        #expect(rt_onednn_linear_enabled() == oneDNN)
        var operands = ["x": x, "weight": w]
        operands["bias"] = bias
        return try RecordedPass(operands: operands, trained: trained,
                                forward: { try NN.linear($0["x"]!, weight: $0["weight"]!, bias: $0["bias"]) },
                                loss: { try $0.square().sum() })
    }

    @Test(.enabled(if: available, "this libtorch has no oneDNN"),
          arguments: [[7, 13], [3, 40, 24], [2, 1, 5, 160]], [true, false])
    func equalsLibtorchsLinear(shape: [Int], withBias: Bool) throws {
        let g = try Generator(seed: 11)
        let inputs = shape.last!, outputs = inputs == 160 ? 480 : 17
        let x = try Tensor.randn(shape, generator: g)
        let w = try Tensor.randn([outputs, inputs], generator: g)
        let bias = withBias ? try Tensor.randn([outputs], generator: g) : nil
        for trained in [Set(["x", "weight", "bias"]), ["x"], ["weight"], []] as [Set<String>] {
            let kept = withBias ? trained : trained.subtracting(["bias"])
            let fast = try pass(oneDNN: true, x: x, w: w, bias: bias, trained: kept)
            let reference = try pass(oneDNN: false, x: x, w: w, bias: bias, trained: kept)
            expectWithinScale(fast.output, reference.output, "output of \(shape), trained \(kept.sorted())")
            #expect(Set(fast.gradients.keys) == kept)
            for name in kept { expectWithinScale(fast.gradients[name]!, reference.gradients[name]!, "\(name) gradient, \(shape)") }
        }
    }

    /// What it leaves to libtorch: other dtypes, autocast's bf16, mismatched shapes.
    @Test(.enabled(if: available, "this libtorch has no oneDNN"))
    func leavesOtherDTypesToLibtorch() throws {
        rt_set_onednn_linear(1)
        defer { rt_set_onednn_linear(-1) }
        let g = try Generator(seed: 12)
        let x = try Tensor.randn([4, 8], generator: g).to(.float64), w = try Tensor.randn([3, 8], generator: g).to(.float64)
        let y = try NN.linear(x, weight: w)
        #expect(y.dtype == .float64 && y.shape == [4, 3])
        #expect(throws: TorchError.self) { try NN.linear(try Tensor.randn([4, 8], generator: g), weight: try Tensor.randn([3, 9], generator: g)) }
    }
}
