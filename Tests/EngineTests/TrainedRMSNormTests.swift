import Testing
import TorchShim
@testable import Engine

/// RMSNorm as one autograd node in float32 training passes (rms_norm_training.cpp) against
/// libtorch's composite at::rms_norm: outputs and the gradients of x and the weight, with the
/// node switched off on this test's thread for the reference.
@Suite struct TrainedRMSNormTests {
    /// y = rms_norm(x, w), then the gradients of sum(y · c) (c fixed noise, so that no
    /// gradient is the trivial one of a plain sum) for the operands that require them.
    func pass(fused: Bool, x: Tensor, w: Tensor, c: Tensor, trained: Set<String>) throws -> RecordedPass {
        rt_set_trained_rms_norm_enabled(fused)
        defer { rt_set_trained_rms_norm_enabled(true) }
        return try RecordedPass(operands: ["x": x, "weight": w], trained: trained,
                                forward: { try NN.rmsNorm($0["x"]!, weight: $0["weight"]!, eps: 1e-5) },
                                loss: { try ($0 * c).sum() })
    }

    @Test(arguments: [[7, 13], [3, 40, 24], [2, 5, 31, 160], [1, 1]])
    func equalsLibtorchsComposite(shape: [Int]) throws {
        let g = try Generator(seed: 3)
        let x = try Tensor.randn(shape, generator: g) * 3
        let w = try Tensor.randn([shape.last!], generator: g) + 1
        let c = try Tensor.randn(shape, generator: g)
        for trained in [Set(["x", "weight"]), ["x"], ["weight"]] as [Set<String>] {
            let fused = try pass(fused: true, x: x, w: w, c: c, trained: trained)
            let reference = try pass(fused: false, x: x, w: w, c: c, trained: trained)
            expectWithinScale(fused.output, reference.output, "output of \(shape)")
            #expect(Set(fused.gradients.keys) == trained)
            for name in trained {
                expectWithinScale(fused.gradients[name]!, reference.gradients[name]!, "gradient of \(name), \(shape), trained \(trained.sorted())")
            }
        }
    }

    /// A transposed (non-contiguous) input and a second backward through a graph that uses
    /// the output twice give libtorch's gradients too.
    @Test func stridedInputsAndReusedOutputs() throws {
        let g = try Generator(seed: 8)
        let base = try Tensor.randn([9, 24], generator: g)
        let w = try Tensor.randn([9], generator: g)
        func gradients(fused: Bool) throws -> [Float] {
            rt_set_trained_rms_norm_enabled(fused)
            defer { rt_set_trained_rms_norm_enabled(true) }
            let x = try base.detached().requiringGrad()
            let y = try NN.rmsNorm(x.transpose(0, 1).slice(dim: 0, start: 2, end: 20), weight: w, eps: 1e-6)
            try ((y * y).sum() + (y * 3).sum()).backward()
            return try #require(x.grad).toArray(Float.self)
        }
        expectWithinScale(try gradients(fused: true), try gradients(fused: false), "strided input")
    }
}
