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

    struct Pass {
        var output: [Float]
        var gradients: [String: [Float]]
    }

    /// y = linear(x, W, b), then the gradients of sum(y²) for the operands that require them.
    func pass(oneDNN: Bool, x: Tensor, w: Tensor, bias: Tensor?, trained: Set<String>) throws -> Pass {
        rt_set_onednn_linear(oneDNN ? 1 : 0)
        rt_set_decode_linear_enabled(false)  // every row count through the path under test
        defer {
            rt_set_onednn_linear(-1)
            rt_set_decode_linear_enabled(true)
        }
        #expect(rt_onednn_linear_enabled() == oneDNN)
        let operands = [("x", x), ("weight", w)] + (bias.map { [("bias", $0)] } ?? [])
        let leaves = try Dictionary(uniqueKeysWithValues: operands.map { name, t in
            (name, trained.contains(name) ? try t.detached().requiringGrad() : t)
        })
        let y = try NN.linear(leaves["x"]!, weight: leaves["weight"]!, bias: leaves["bias"])
        if !trained.isEmpty { try y.square().sum().backward() }
        var gradients: [String: [Float]] = [:]
        for name in trained { gradients[name] = try #require(leaves[name]?.grad).toArray(Float.self) }
        return Pass(output: try y.toArray(Float.self), gradients: gradients)
    }

    func expectClose(_ a: [Float], _ b: [Float], _ what: String) {
        let scale = max(b.map { abs($0) }.max() ?? 1, 1)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(a.count == b.count && worst <= 2e-5 * scale, "\(what): off by \(worst) at scale \(scale)")
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
            expectClose(fast.output, reference.output, "output of \(shape), trained \(kept.sorted())")
            #expect(Set(fast.gradients.keys) == kept)
            for name in kept { expectClose(fast.gradients[name]!, reference.gradients[name]!, "\(name) gradient, \(shape)") }
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
