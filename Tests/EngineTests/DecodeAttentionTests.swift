import Testing
import TorchShim
@testable import Engine

/// The decoding attention kernel (decode_attention.cpp: one query per row over a KV cache)
/// against libtorch's scaled_dot_product_attention on the same tensors, with the kernel
/// switched off on this test's thread for the reference.
@Suite struct DecodeAttentionTests {
    static let supported = Engine.cpuHasAVX2FMA == true

    struct Case: CustomTestStringConvertible, Sendable {
        var batch, heads, keyValueHeads, width, keys: Int
        var masked: Bool
        var testDescription: String { "B\(batch) H\(heads)/\(keyValueHeads) D\(width) S\(keys)\(masked ? " masked" : "")" }
    }

    /// Query [B, H, 1, D] and keys/values as the first `keys` positions of a longer cache
    /// [B, Hkv, keys + 7, D] (strided views, as KVCache returns them); the mask hides each row's
    /// first `row % 4` keys (left padding).
    static func operands(_ c: Case, seed: UInt64) throws -> (q: Tensor, k: Tensor, v: Tensor, mask: Tensor?) {
        let g = try Generator(seed: seed)
        let q = try Tensor.randn([c.batch, c.heads, 1, c.width], generator: g) * 2
        let cache = [c.batch, c.keyValueHeads, c.keys + 7, c.width]
        let k = try Tensor.randn(cache, generator: g).slice(dim: 2, start: 0, end: c.keys)
        let v = try Tensor.randn(cache, generator: g).slice(dim: 2, start: 0, end: c.keys)
        guard c.masked else { return (q, k, v, nil) }
        let padding = (0..<c.batch).map { Int64(min($0 % 4, c.keys - 1)) }
        let mask = try Tensor.arange(Double(c.keys)).unsqueeze(0).ge(Tensor(padding).unsqueeze(1)).unsqueeze(1).unsqueeze(1)
        return (q, k, v, mask)
    }

    static func attention(kernel: Bool, _ q: Tensor, _ k: Tensor, _ v: Tensor, _ mask: Tensor?, scale: Double? = nil) throws -> [Float] {
        rt_set_decode_attention_enabled(kernel)
        defer { rt_set_decode_attention_enabled(true) }
        #expect(withExtendedLifetime((q, k, v, mask)) { rt_decode_attention_applies(q.handle, k.handle, v.handle, mask?.handle) } == kernel)
        return try NN.scaledDotProductAttention(query: q, key: k, value: v, mask: mask, scale: scale).toArray(Float.self)
    }

    @Test(.enabled(if: supported, "the kernel needs AVX2 and FMA"), arguments: [
        Case(batch: 3, heads: 2, keyValueHeads: 2, width: 32, keys: 1, masked: false),
        Case(batch: 5, heads: 4, keyValueHeads: 2, width: 40, keys: 5, masked: true),
        Case(batch: 4, heads: 6, keyValueHeads: 2, width: 64, keys: 37, masked: true),
        Case(batch: 2, heads: 14, keyValueHeads: 2, width: 64, keys: 100, masked: false),
        Case(batch: 7, heads: 4, keyValueHeads: 1, width: 8, keys: 130, masked: true),
    ])
    func equalsLibtorchsAttention(_ c: Case) throws {
        try withNoGrad {
            let (q, k, v, mask) = try Self.operands(c, seed: UInt64(c.keys))
            let fast = try Self.attention(kernel: true, q, k, v, mask)
            let reference = try Self.attention(kernel: false, q, k, v, mask)
            let worst = zip(fast, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(fast.count == c.batch * c.heads * c.width && worst <= 2e-5, "off by \(worst)")
            // An explicit scale is the one applied (with one key every scale gives the value itself).
            let scaled = try Self.attention(kernel: true, q, k, v, mask, scale: 0.05)
            let scaledReference = try Self.attention(kernel: false, q, k, v, mask, scale: 0.05)
            #expect(zip(scaled, scaledReference).allSatisfy { abs($0 - $1) <= 2e-5 })
            #expect(zip(scaled, fast).contains { abs($0 - $1) > 1e-3 } == (c.keys > 1))
        }
    }

    /// Keys far apart in score: the largest dominates, and no weight under exp's range is NaN.
    @Test(.enabled(if: supported, "the kernel needs AVX2 and FMA"))
    func extremeScoresStayFinite() throws {
        try withNoGrad {
            let c = Case(batch: 2, heads: 4, keyValueHeads: 2, width: 16, keys: 9, masked: false)
            var (q, k, v, _) = try Self.operands(c, seed: 3)
            q = try q * 40
            let fast = try Self.attention(kernel: true, q, k, v, nil)
            let reference = try Self.attention(kernel: false, q, k, v, nil)
            #expect(fast.allSatisfy { $0.isFinite })
            #expect(zip(fast, reference).allSatisfy { abs($0 - $1) <= 1e-4 })
        }
    }

    /// Where libtorch's own kernel must run: several queries, half precision,
    /// a width not a multiple of 8, a per-head or per-query mask, and a pass that records gradients.
    @Test(.enabled(if: supported, "the kernel needs AVX2 and FMA"))
    func appliesOnlyToDecodingSteps() throws {
        let g = try Generator(seed: 5)
        let q = try Tensor.randn([2, 4, 1, 16], generator: g), k = try Tensor.randn([2, 2, 6, 16], generator: g)
        let v = try Tensor.randn([2, 2, 6, 16], generator: g)
        func applies(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ mask: Tensor? = nil) -> Bool {
            withExtendedLifetime((q, k, v, mask)) { rt_decode_attention_applies(q.handle, k.handle, v.handle, mask?.handle) }
        }
        withNoGrad { #expect(applies(q, k, v)) }
        try withNoGrad {
            let queries = try Tensor.randn([2, 4, 3, 16], generator: g)
            #expect(!applies(queries, k, v))
            #expect(try !applies(q.to(.bfloat16), k.to(.bfloat16), v.to(.bfloat16)))
            let narrow = try q.slice(dim: 3, start: 0, end: 12).contiguous()
            #expect(try !applies(narrow, k.slice(dim: 3, start: 0, end: 12).contiguous(), v.slice(dim: 3, start: 0, end: 12).contiguous()))
            #expect(try !applies(q, k, v, Tensor.ones([2, 4, 1, 6], dtype: .bool)))
            #expect(try applies(q, k, v, Tensor.ones([2, 1, 1, 6], dtype: .bool)))
            #expect(try !applies(q, k, v, Tensor.ones([2, 1, 1, 6], dtype: .float32)))
        }
        let leaf = try q.detached().requiringGrad()
        #expect(!applies(leaf, k, v))
    }
}
