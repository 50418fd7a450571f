import Testing
import TorchShim
@testable import Engine

/// The decoding kernel behind `NN.linear` (few rows, no autograd, float32 on an AVX2 CPU)
/// against libtorch's own linear on the same tensors.
@Suite(.serialized) struct DecodeLinearTests {
    static let hasKernel = Engine.cpuHasAVX2FMA == true

    func applies(_ x: Tensor, _ w: Tensor, _ bias: Tensor?) -> Bool {
        withExtendedLifetime((x, w, bias)) { rt_decode_linear_applies(x.handle, w.handle, bias?.handle) }
    }

    /// linear through the kernel and through at::linear (kernel switched off). The kernel is
    /// checked up to 128 rows whatever this CPU's own row limit.
    func bothWays(_ x: Tensor, _ w: Tensor, _ bias: Tensor?) throws -> (kernel: [Float], reference: [Float]) {
        rt_set_decode_linear_max_rows(128)
        defer { rt_set_decode_linear_max_rows(0) }
        #expect(applies(x, w, bias), "rows \(x.shape) by \(w.shape) should take the kernel")
        let kernel = try NN.linear(x, weight: w, bias: bias)
        rt_set_decode_linear_enabled(false)
        defer { rt_set_decode_linear_enabled(true) }
        #expect(!applies(x, w, bias))
        let reference = try NN.linear(x, weight: w, bias: bias)
        #expect(kernel.shape == reference.shape)
        return (try kernel.toArray(Float.self), try reference.toArray(Float.self))
    }

    @Test(.enabled(if: hasKernel, "the kernel needs AVX2 and FMA"),
          arguments: [(1, 384, 384), (2, 1024, 384), (5, 13, 7), (8, 1001, 130), (9, 384, 96), (16, 64, 8192), (128, 160, 480), (77, 40, 33)])
    func equalsLibtorchsLinear(rows: Int, inputs: Int, outputs: Int) throws {
        let g = try Generator(seed: 3)
        let x = try Tensor.randn([rows, inputs], generator: g)
        let w = try Tensor.randn([outputs, inputs], generator: g)
        for bias in [nil, try Tensor.randn([outputs], generator: g)] {
            let (kernel, reference) = try withNoGrad { try bothWays(x, w, bias) }
            let scale = reference.map { abs($0) }.max() ?? 1
            let worst = zip(kernel, reference).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * max(scale, 1), "rows \(rows), \(inputs) → \(outputs), bias \(bias != nil): off by \(worst)")
        }
    }

    @Test(.enabled(if: hasKernel, "the kernel needs AVX2 and FMA"))
    func keepsLeadingDimensions() throws {
        let g = try Generator(seed: 4)
        let x = try Tensor.randn([2, 3, 40], generator: g).transpose(0, 1)  // not contiguous: [3, 2, 40]
        let w = try Tensor.randn([24, 40], generator: g)
        let (kernel, reference) = try withNoGrad { try bothWays(x, w, nil) }
        let worst = zip(kernel, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5)
    }

    @Test(.enabled(if: hasKernel, "the kernel needs AVX2 and FMA"), arguments: [1, 8, 13])
    func bfloat16WeightsEqualLibtorchsLinear(rows: Int) throws {
        let g = try Generator(seed: 6)
        let x = try Tensor.randn([rows, 200], generator: g).to(.bfloat16)
        let w = try Tensor.randn([72, 200], generator: g).to(.bfloat16)
        let bias = try Tensor.randn([72], generator: g).to(.bfloat16)
        let (kernel, reference) = try withNoGrad { try bothWays(x, w, bias) }
        // Both sum in float32 and round the result to bf16 once (8 significant bits).
        let worst = zip(kernel, reference).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 0
        #expect(worst <= 1.0 / 128, "bf16, \(rows) rows: off by \(worst) of the value")
        #expect(try NN.linear(x, weight: w, bias: bias).dtype == .bfloat16)
    }

    /// 32 rows on an AVX-512 CPU (MKL's sgemm is faster beyond), 128 elsewhere; an override
    /// is kept within 1-128, and 0 restores the CPU's own.
    @Test(.enabled(if: hasKernel, "the kernel needs AVX2 and FMA")) func rowLimitFollowsTheCPU() throws {
        let own = rt_decode_linear_max_rows()
        #expect(own == 32 || own == 128)
        let g = try Generator(seed: 6)
        let w = try Tensor.randn([16, 32], generator: g)
        let atLimit = try Tensor.randn([Int(own), 32], generator: g), past = try Tensor.randn([Int(own) + 1, 32], generator: g)
        let most = try Tensor.randn([128, 32], generator: g)
        withNoGrad {
            #expect(applies(atLimit, w, nil))
            #expect(!applies(past, w, nil))
            rt_set_decode_linear_max_rows(500)
            defer { rt_set_decode_linear_max_rows(0) }
            #expect(rt_decode_linear_max_rows() == 128)
            #expect(applies(most, w, nil))
        }
        #expect(rt_decode_linear_max_rows() == own)
    }

    @Test func leavesEverythingElseToLibtorch() throws {
        let g = try Generator(seed: 5)
        let w = try Tensor.randn([16, 32], generator: g)
        let x = try Tensor.randn([4, 32], generator: g)
        #expect(!applies(try Tensor.randn([129, 32], generator: g), w, nil), "more rows than a decoding batch")
        #expect(!applies(try x.to(.float64), try w.to(.float64), nil), "float64")
        #expect(applies(x, try w.to(.bfloat16), nil) == Self.hasKernel, "float32 x over bf16 weights kept as stored")
        #expect(!applies(try x.to(.bfloat16), w, nil), "bf16 x with float32 weights")
        let manyRows = try Tensor.randn([300, 32], generator: g).to(.bfloat16)
        #expect(applies(manyRows, try w.to(.bfloat16), nil) == (Self.hasKernel && Engine.cpuHasNativeBFloat16 == false),
                "bf16 at any row count where libtorch's bf16 matmul is the slow fallback")
        #expect(!applies(x, try Tensor.randn([32, 16], generator: g).transpose(0, 1), nil), "a transposed weight")
        #expect(!applies(x, w, try Tensor.randn([15], generator: g)), "a bias of the wrong length")
        try w.requiringGrad()
        #expect(!applies(x, w, nil), "autograd needs at::linear's backward")
        withNoGrad { #expect(applies(x, w, nil) == Self.hasKernel, "no autograd under withNoGrad") }
    }

    /// bf16 weight matrices under float32 compute: the kernel widens each weight as it loads
    /// it, and at::linear (kernel off, more rows, autograd) gets the weight widened for the call.
    /// Either way the sums are float32 sums over the same values as a float32 copy of W.
    @Test(arguments: [1, 8, 13, 200])
    func float32InputsOverBFloat16WeightsEqualAFloat32Copy(rows: Int) throws {
        let g = try Generator(seed: 7)
        let x = try Tensor.randn([rows, 136], generator: g)
        let stored = try Tensor.randn([40, 136], generator: g).to(.bfloat16)
        let widened = try stored.to(.float32)
        let bias = try Tensor.randn([40], generator: g)
        #expect(applies(x, stored, bias) == (Self.hasKernel && (rows <= rt_decode_linear_max_rows() || Engine.cpuHasNativeBFloat16 == false)))
        let mixed = try withNoGrad { try NN.linear(x, weight: stored, bias: bias) }
        let reference = try withNoGrad { try NN.linear(x, weight: widened, bias: bias) }
        #expect(mixed.dtype == .float32)
        let got = try mixed.toArray(Float.self), want = try reference.toArray(Float.self)
        let worst = zip(got, want).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 0
        #expect(worst <= 1e-5, "\(rows) rows: off by \(worst)")
    }

    /// Under autograd a frozen bf16 W goes through one node that widens it again in backward
    /// (no float32 copy kept for it): x and the bias get the gradients a float32 copy of W gives.
    @Test func gradientsFlowToFloat32InputsThroughFrozenBFloat16Weights() throws {
        // The float32 copy through at::linear too, as the widening node multiplies (oneDNN's
        // products, OneDNNLinearTests, sum in another order).
        rt_set_onednn_linear(0)
        defer { rt_set_onednn_linear(-1) }
        let g = try Generator(seed: 8)
        let stored = try Tensor.randn([24, 48], generator: g).to(.bfloat16)
        let x = try Tensor.randn([2, 3, 48], generator: g).requiringGrad()
        let bias = try Tensor.randn([24], generator: g).requiringGrad()
        try NN.linear(x, weight: stored, bias: bias).square().sum().backward()
        let y = try x.detached().requiringGrad(), b = try bias.detached().requiringGrad()
        try NN.linear(y, weight: stored.to(.float32), bias: b).square().sum().backward()
        for (got, want, name) in [(x.grad, y.grad, "input"), (bias.grad, b.grad, "bias")] {
            let a = try #require(got).toArray(Float.self), c = try #require(want).toArray(Float.self)
            let worst = zip(a, c).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? 1
            #expect(a.count == c.count && worst <= 1e-5, "\(name) gradient off by \(worst)")
        }
        #expect(stored.grad == nil)
    }
}
