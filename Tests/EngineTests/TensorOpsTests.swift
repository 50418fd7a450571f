import Foundation
import Testing
@testable import Engine

// MARK: - Helpers shared by the engine tests (TensorOps, Autograd, Generator)

/// A float32 tensor (a vector when `shape` is nil).
func f32(_ values: [Float], _ shape: [Int]? = nil) throws -> Tensor { try Tensor(values, shape: shape) }

/// An int64 tensor (a vector when `shape` is nil).
func i64(_ values: [Int], _ shape: [Int]? = nil) throws -> Tensor { try Tensor(values, shape: shape) }

/// The elements as Double, row-major.
func elements(_ tensor: Tensor) throws -> [Double] { try tensor.toArray(Double.self) }

/// Expects `actual` ≈ `expected` elementwise: |a − e| ≤ tolerance · max(1, |e|).
func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-5, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what) \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let worst = zip(actual, expected).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "\(what) \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
}

/// Expects `tensor` to have `shape` and elements ≈ `expected`.
func expectClose(_ tensor: Tensor, _ expected: [Double], shape: [Int]? = nil, tolerance: Double = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    if let shape { #expect(tensor.shape == shape, sourceLocation: sourceLocation) }
    expectClose(try elements(tensor), expected, tolerance: tolerance, sourceLocation: sourceLocation)
}

/// Expects `body` to throw a TorchError whose message names `operation`, then checks that the
/// engine still computes correctly afterwards.
func expectTorchError(naming operation: String, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Any) throws {
    let error = #expect(throws: TorchError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error?.message.contains(operation) == true, "'\(error?.message ?? "no error")' should name \(operation)",
            sourceLocation: sourceLocation)
    #expect(try (f32([1, 2]) * 3).toArray(Float.self) == [3, 6], "engine broken after the error",
            sourceLocation: sourceLocation)
}

/// log softmax of one row, in Double.
func logSoftmaxRow(_ row: [Double]) -> [Double] {
    let m = row.max()!
    let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
    return row.map { $0 - lse }
}

// MARK: - Creation and conversion

@Suite struct TensorCreationTests {
    @Test func zerosOnesFull() throws {
        let z = try Tensor.zeros([2, 3])
        #expect(z.shape == [2, 3] && z.dtype == .float32 && z.count == 6 && z.rank == 2)
        #expect(try z.toArray(Float.self) == [0, 0, 0, 0, 0, 0])
        let o = try Tensor.ones([2], dtype: .int64)
        #expect(try o.dtype == .int64 && o.toArray(Int.self) == [1, 1])
        let f = try Tensor.full([1, 2], 2.5, dtype: .float64)
        #expect(try f.dtype == .float64 && f.shape == [1, 2] && f.toArray(Double.self) == [2.5, 2.5])
    }

    @Test func arange() throws {
        let a = try Tensor.arange(0, 5)
        #expect(try a.dtype == .int64 && a.toArray(Int.self) == [0, 1, 2, 3, 4])
        let b = try Tensor.arange(1, 2, step: 0.25, dtype: .float32)
        #expect(try b.toArray(Float.self) == [1, 1.25, 1.5, 1.75])
        #expect(try Tensor.arange(3, 0, step: -1).toArray(Int.self) == [3, 2, 1])
    }

    @Test func fromFloatingArrays() throws {
        let f = try Tensor([Float(1.5), -2], shape: [2, 1])
        #expect(try f.dtype == .float32 && f.shape == [2, 1] && f.toArray(Float.self) == [1.5, -2])
        let d = try Tensor([0.1, 0.2, 0.3])
        #expect(try d.dtype == .float64 && d.toArray(Double.self) == [0.1, 0.2, 0.3])
        let h = try Tensor([Float16(0.5), 65504, -1])
        #expect(try h.dtype == .float16 && h.toArray(Float16.self) == [0.5, 65504, -1])
    }

    @Test func fromIntegerAndBoolArrays() throws {
        let i = try Tensor([Int.min, 0, Int.max])
        #expect(try i.dtype == .int64 && i.toArray(Int.self) == [Int.min, 0, Int.max])
        let longs = try Tensor([Int64(-5), 6])
        #expect(try longs.dtype == .int64 && longs.toArray(Int64.self) == [-5, 6])
        let i32 = try Tensor([Int32.min, 7, Int32.max])
        #expect(try i32.dtype == .int32 && i32.toArray(Int32.self) == [Int32.min, 7, Int32.max])
        let u8 = try Tensor([UInt8(0), 128, 255])
        #expect(try u8.dtype == .uint8 && u8.toArray(UInt8.self) == [0, 128, 255])
        let b = try Tensor([true, false, true], shape: [3])
        #expect(try b.dtype == .bool && b.toArray(Bool.self) == [true, false, true])
    }

    @Test func bfloat16RoundsToEightMantissaBits() throws {
        // 1 + 2⁻⁷ is representable in bfloat16; 1 + 2⁻⁹ rounds to 1.
        let b = try Tensor([Float(1), 1.0078125, 1.001953125, -3.140625]).to(.bfloat16)
        #expect(b.dtype == .bfloat16)
        #expect(try b.toArray(Float.self) == [1, 1.0078125, 1, -3.140625])
        #expect(try b.to(.float32).dtype == .float32)
    }

    @Test func scalarTensors() throws {
        let s = try Tensor(scalar: 3.5)
        #expect(s.shape == [] && s.rank == 0 && s.count == 1 && s.dtype == .float64)
        #expect(try s.item() == 3.5)
        #expect(try Tensor(scalar: 7).itemInt() == 7)
        #expect(try Tensor(scalar: Float(2)).toArray(Float.self) == [2])
        #expect(try (f32([1, 2, 3]).sum()).shape == [])
    }

    @Test func emptyTensorsRoundTrip() throws {
        let e = try Tensor.zeros([0, 3])
        #expect(e.count == 0 && e.shape == [0, 3])
        #expect(try e.toArray(Float.self) == [])
        let fromArray = try Tensor([Float](), shape: [2, 0])
        #expect(fromArray.shape == [2, 0] && fromArray.count == 0)
        #expect(try fromArray.toArray(Float.self) == [])
    }

    @Test func toArrayConvertsDType() throws {
        let x = try f32([1.75, -2.25, 0])
        #expect(try x.toArray(Int.self) == [1, -2, 0])  // truncation toward zero, as torch casts
        #expect(try x.toArray(Bool.self) == [true, true, false])
        #expect(try x.toArray(Double.self) == [1.75, -2.25, 0])
        #expect(try i64([3, 4]).toArray(Float.self) == [3, 4])
        #expect(try Tensor([true, false]).toArray(Int32.self) == [1, 0])
    }

    @Test func toChangesDTypeAndCloneCopies() throws {
        let x = try f32([1.5, 2.5])
        let d = try x.to(.float64)
        #expect(try d.dtype == .float64 && d.toArray(Double.self) == [1.5, 2.5])
        #expect(try x.to(.int32).toArray(Int32.self) == [1, 2])
        #expect(try x.to(.cpu, dtype: .float16).dtype == .float16)
        let c = try x.clone()
        try c.fillInPlace(0)
        #expect(try x.toArray(Float.self) == [1.5, 2.5])
    }
}

// MARK: - Elementwise

@Suite struct ElementwiseTests {
    let a: Tensor
    let b: Tensor
    init() throws {
        a = try f32([1, 2, 3, 4])
        b = try f32([2, 4, 6, 8])
    }

    @Test func tensorArithmetic() throws {
        try expectClose(a + b, [3, 6, 9, 12])
        try expectClose(a - b, [-1, -2, -3, -4])
        try expectClose(a * b, [2, 8, 18, 32])
        try expectClose(b / a, [2, 2, 2, 2])
        try expectClose(-a, [-1, -2, -3, -4])
        try expectClose(a.pow(b.slice(dim: 0, end: 1).expand([4])), [1, 4, 9, 16])
        try expectClose(a.matmul(b), [60], shape: [])
    }

    @Test func scalarArithmeticBothOrders() throws {
        try expectClose(a + 1, [2, 3, 4, 5])
        try expectClose(1 + a, [2, 3, 4, 5])
        try expectClose(a - 1, [0, 1, 2, 3])
        try expectClose(10 - a, [9, 8, 7, 6])
        try expectClose(a * 3, [3, 6, 9, 12])
        try expectClose(3 * a, [3, 6, 9, 12])
        try expectClose(a / 2, [0.5, 1, 1.5, 2])
        try expectClose(12 / a, [12, 6, 4, 3])
        try expectClose(a.pow(2), [1, 4, 9, 16])
        try expectClose(a.pow(0.5), [1, 2.0.squareRoot(), 3.0.squareRoot(), 2])
    }

    @Test func broadcasting() throws {
        let column = try f32([10, 20], [2, 1])
        let row = try f32([1, 2, 3])
        try expectClose(column + row, [11, 12, 13, 21, 22, 23], shape: [2, 3])
        try expectClose(try f32([1, 2, 3, 4, 5, 6], [2, 3]) * row, [1, 4, 9, 4, 10, 18], shape: [2, 3])
        try expectClose(row - Tensor(scalar: Float(1)), [0, 1, 2], shape: [3])
    }

    @Test func matmulShapes() throws {
        let m = try f32([1, 2, 3, 4, 5, 6], [2, 3])
        let n = try f32([1, 0, 0, 1, 1, 1], [3, 2])
        try expectClose(m.matmul(n), [4, 5, 10, 11], shape: [2, 2])
        let batched = try Tensor.stack([m, m * 2])  // [2, 2, 3] x [3, 2]
        try expectClose(batched.matmul(n), [4, 5, 10, 11, 8, 10, 20, 22], shape: [2, 2, 2])
    }

    @Test func comparisonsWithTensors() throws {
        let x = try f32([1, 2, 3])
        let y = try f32([3, 2, 1])
        #expect(try x.eq(y).dtype == .bool)
        #expect(try x.eq(y).toArray(Bool.self) == [false, true, false])
        #expect(try x.ne(y).toArray(Bool.self) == [true, false, true])
        #expect(try x.lt(y).toArray(Bool.self) == [true, false, false])
        #expect(try x.le(y).toArray(Bool.self) == [true, true, false])
        #expect(try x.gt(y).toArray(Bool.self) == [false, false, true])
        #expect(try x.ge(y).toArray(Bool.self) == [false, true, true])
    }

    @Test func comparisonsWithScalars() throws {
        let x = try f32([1, 2, 3])
        #expect(try x.eq(2).toArray(Bool.self) == [false, true, false])
        #expect(try x.ne(2).toArray(Bool.self) == [true, false, true])
        #expect(try x.lt(2).toArray(Bool.self) == [true, false, false])
        #expect(try x.le(2).toArray(Bool.self) == [true, true, false])
        #expect(try x.gt(2).toArray(Bool.self) == [false, false, true])
        #expect(try x.ge(2).toArray(Bool.self) == [false, true, true])
    }

    @Test func logicalOps() throws {
        let p = try Tensor([true, true, false, false])
        let q = try Tensor([true, false, true, false])
        #expect(try p.logicalAnd(q).toArray(Bool.self) == [true, false, false, false])
        #expect(try p.logicalOr(q).toArray(Bool.self) == [true, true, true, false])
        #expect(try p.logicalNot().toArray(Bool.self) == [false, false, true, true])
        #expect(try p.any().toArray(Bool.self) == [true])
        #expect(try p.all().toArray(Bool.self) == [false])
        #expect(try p.logicalOr(p.logicalNot()).all().toArray(Bool.self) == [true])
    }

    @Test func whereSelectsAndBroadcasts() throws {
        let condition = try Tensor([true, false, true])
        try expectClose(Tensor.where(condition, f32([1, 2, 3]), f32([10, 20, 30])), [1, 20, 3])
        try expectClose(Tensor.where(condition, f32([1, 2, 3]), Tensor(scalar: Float(-1))), [1, -1, 3])
    }

    @Test func clampEachBound() throws {
        let x = try f32([-2, -0.5, 0.5, 2])
        try expectClose(x.clamp(min: -1, max: 1), [-1, -0.5, 0.5, 1])
        try expectClose(x.clamp(min: 0), [0, 0, 0.5, 2])
        try expectClose(x.clamp(max: 0), [-2, -0.5, 0, 0])
        try expectClose(x.clamp(min: -1), [-1, -0.5, 0.5, 2])
    }

    @Test func expLogSqrtRsqrt() throws {
        let x = try f32([1, 4, 9])
        try expectClose(x.exp(), [M_E, Foundation.exp(4), Foundation.exp(9)])
        try expectClose(x.log(), [0, Foundation.log(4), Foundation.log(9)])
        try expectClose(x.sqrt(), [1, 2, 3])
        try expectClose(x.rsqrt(), [1, 0.5, 1.0 / 3])
        try expectClose(x.log().exp(), [1, 4, 9])
        try expectClose(f32([1e-7]).log1p(), [Foundation.log1p(1e-7)], tolerance: 1e-9)
        try expectClose(f32([1e-7]).expm1(), [Foundation.expm1(1e-7)], tolerance: 1e-9)
    }

    @Test func otherUnaryFunctions() throws {
        let x = try f32([-1.5, 0, 2])
        try expectClose(x.abs(), [1.5, 0, 2])
        try expectClose(x.square(), [2.25, 0, 4])
        try expectClose(x.sign(), [-1, 0, 1])
        try expectClose(x.floor(), [-2, 0, 2])
        try expectClose(x.relu(), [0, 0, 2])
        let sig = [-1.5, 0, 2].map { 1 / (1 + Foundation.exp(-$0)) }
        try expectClose(x.sigmoid(), sig)
        try expectClose(x.silu(), zip([-1.5, 0, 2], sig).map { $0 * $1 })
        try expectClose(x.tanh(), [-1.5, 0, 2].map(Foundation.tanh))
        let gelu = [-1.5, 0, 2].map { v in
            0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
        }
        try expectClose(x.geluTanh(), gelu)
        try expectClose(f32([0, Float.pi / 2]).sin(), [0, 1])
        try expectClose(f32([0, Float.pi]).cos(), [1, -1])
    }

    @Test func nanAndInfinityChecks() throws {
        let x = try f32([-1, 0, 1]).log()  // nan, -inf, 0
        #expect(try x.isNaN().toArray(Bool.self) == [true, false, false])
        #expect(try x.isFinite().toArray(Bool.self) == [false, false, true])
    }

    @Test func minMaxMaximumMinimum() throws {
        let x = try f32([3, -1, 7, 2], [2, 2])
        #expect(try x.max().item() == 7)
        #expect(try x.min().item() == -1)
        #expect(try x.max().shape == [])
        try expectClose(x.maximum(f32([0, 0, 10, 0], [2, 2])), [3, 0, 10, 2])
        try expectClose(x.minimum(f32([0, 0, 10, 0], [2, 2])), [0, -1, 7, 0])
        try expectClose(x.maximum(Tensor(scalar: Float(2.5))), [3, 2.5, 7, 2.5])
    }
}

// MARK: - Reductions

@Suite struct ReductionTests {
    let x: Tensor  // [[1, 2, 3], [4, 5, 6]]
    init() throws { x = try f32([1, 2, 3, 4, 5, 6], [2, 3]) }

    @Test func sumOverDimsAndAll() throws {
        try expectClose(x.sum(), [21], shape: [])
        try expectClose(x.sum(dim: 0), [5, 7, 9], shape: [3])
        try expectClose(x.sum(dim: 1), [6, 15], shape: [2])
        try expectClose(x.sum(dim: -1, keepDim: true), [6, 15], shape: [2, 1])
        try expectClose(x.sum(dims: [0, 1]), [21], shape: [])
        try expectClose(x.sum(dims: [0, 1], keepDim: true), [21], shape: [1, 1])
    }

    @Test func meanOverDimsAndAll() throws {
        try expectClose(x.mean(), [3.5], shape: [])
        try expectClose(x.mean(dim: 0), [2.5, 3.5, 4.5], shape: [3])
        try expectClose(x.mean(dim: 1, keepDim: true), [2, 5], shape: [2, 1])
    }

    @Test func varianceWithCorrection() throws {
        let v = try f32([1, 2, 3, 4])
        try expectClose(v.variance(), [5.0 / 3])            // Σ(x−2.5)² = 5, / (4 − 1)
        try expectClose(v.variance(correction: 0), [1.25])  // / 4
        try expectClose(v.std(), [(5.0 / 3).squareRoot()])
        try expectClose(x.variance(dims: [1]), [1, 1], shape: [2])
        try expectClose(x.variance(dims: [0], correction: 0, keepDim: true), [2.25, 2.25, 2.25], shape: [1, 3])
    }

    @Test func logsumexp() throws {
        let row = { (r: [Double]) in Foundation.log(r.map(Foundation.exp).reduce(0, +)) }
        try expectClose(x.logsumexp(dims: [1]), [row([1, 2, 3]), row([4, 5, 6])], shape: [2])
        try expectClose(x.logsumexp(dims: [0], keepDim: true), [row([1, 4]), row([2, 5]), row([3, 6])], shape: [1, 3])
        try expectClose(x.logsumexp(dims: []), [row([1, 2, 3, 4, 5, 6])], shape: [])
        // Stable for large inputs.
        try expectClose(f32([1000, 1000]).logsumexp(dims: [0]), [1000 + Foundation.log(2)])
    }

    @Test func amaxAmin() throws {
        try expectClose(x.amax(dims: [0]), [4, 5, 6])
        try expectClose(x.amin(dims: [1], keepDim: true), [1, 4], shape: [2, 1])
    }

    @Test func maxMinWithIndices() throws {
        let y = try f32([1, 5, 3, 7, 2, 6], [2, 3])
        let (maxValues, maxIndices) = try y.max(dim: 1)
        try expectClose(maxValues, [5, 7], shape: [2])
        #expect(try maxIndices.dtype == .int64 && maxIndices.toArray(Int.self) == [1, 0])
        let (minValues, minIndices) = try y.min(dim: 0, keepDim: true)
        try expectClose(minValues, [1, 2, 3], shape: [1, 3])
        #expect(try minIndices.toArray(Int.self) == [0, 1, 0])
    }

    @Test func argmax() throws {
        let y = try f32([1, 5, 3, 7, 2, 6], [2, 3])
        #expect(try y.argmax(dim: 1).toArray(Int.self) == [1, 0])
        #expect(try y.argmax(dim: 0).toArray(Int.self) == [1, 0, 1])
        #expect(try y.argmax(dim: -1, keepDim: true).shape == [2, 1])
    }

    @Test func cumsum() throws {
        try expectClose(f32([1, 2, 3, 4]).cumsum(dim: 0), [1, 3, 6, 10])
        try expectClose(x.cumsum(dim: 0), [1, 2, 3, 5, 7, 9], shape: [2, 3])
        try expectClose(x.cumsum(dim: -1), [1, 3, 6, 4, 9, 15], shape: [2, 3])
    }

    @Test func sort() throws {
        let v = try f32([3, 1, 2])
        let up = try v.sort()
        try expectClose(up.values, [1, 2, 3])
        #expect(try up.indices.toArray(Int.self) == [1, 2, 0])
        let down = try v.sort(descending: true)
        try expectClose(down.values, [3, 2, 1])
        #expect(try down.indices.toArray(Int.self) == [0, 2, 1])
        let rows = try f32([2, 1, 0, 9, 8, 7], [2, 3]).sort(dim: 0)
        try expectClose(rows.values, [2, 1, 0, 9, 8, 7])
    }

    @Test func topk() throws {
        let v = try f32([1, 5, 3, 4])
        let top = try v.topk(2)
        try expectClose(top.values, [5, 4])
        #expect(try top.indices.toArray(Int.self) == [1, 3])
        let bottom = try v.topk(2, largest: false)
        try expectClose(bottom.values, [1, 3])
        #expect(try bottom.indices.toArray(Int.self) == [0, 2])
        let perRow = try x.topk(1, dim: 1)
        try expectClose(perRow.values, [3, 6], shape: [2, 1])
    }
}

// MARK: - Shape and indexing

@Suite struct ShapeTests {
    let x: Tensor  // [[1, 2, 3], [4, 5, 6]]
    init() throws { x = try f32([1, 2, 3, 4, 5, 6], [2, 3]) }

    @Test func reshapeAndView() throws {
        try expectClose(x.reshape([3, 2]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(try x.reshape([-1]).shape == [6])
        #expect(try x.reshape([3, -1]).shape == [3, 2])
        #expect(try x.view([1, 6]).shape == [1, 6])
        #expect(try x.view([-1, 2]).shape == [3, 2])
        #expect(x.size(0) == 2 && x.size(-1) == 3)
    }

    @Test func viewSharesStorage() throws {
        let v = try x.clone()
        let flat = try v.view([6])
        try flat.fillInPlace(1)
        #expect(try v.toArray(Float.self) == [1, 1, 1, 1, 1, 1])
    }

    @Test func transposeAndContiguous() throws {
        let t = try x.transpose(0, 1)
        try expectClose(t, [1, 4, 2, 5, 3, 6], shape: [3, 2])
        #expect(!t.isContiguous)
        let c = try t.contiguous()
        #expect(c.isContiguous)
        try expectClose(c.view([6]), [1, 4, 2, 5, 3, 6])
        try expectClose(x.transpose(-1, -2), [1, 4, 2, 5, 3, 6], shape: [3, 2])
    }

    @Test func permute() throws {
        let cube = try Tensor.arange(0, 24).reshape([2, 3, 4])
        let p = try cube.permute([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        let got = try p.toArray(Int.self)
        var expected: [Int] = []
        for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { expected.append(i * 12 + j * 4 + k) } } }
        #expect(got == expected)
    }

    @Test func sliceWithNegativeBoundsAndStep() throws {
        let r = try Tensor.arange(0, 10)
        #expect(try r.slice(dim: 0, start: 2, end: 8, step: 2).toArray(Int.self) == [2, 4, 6])
        #expect(try r.slice(dim: 0, start: -3).toArray(Int.self) == [7, 8, 9])
        #expect(try r.slice(dim: 0, start: 1, end: -6).toArray(Int.self) == [1, 2, 3])
        #expect(try r.slice(dim: 0, start: 8, end: 100).toArray(Int.self) == [8, 9])
        #expect(try r.slice(dim: 0, step: 3).toArray(Int.self) == [0, 3, 6, 9])
        try expectClose(x.slice(dim: 1, start: 1), [2, 3, 5, 6], shape: [2, 2])
        try expectClose(x.slice(dim: -1, start: -1), [3, 6], shape: [2, 1])
    }

    @Test func select() throws {
        try expectClose(x.select(dim: 0, index: 1), [4, 5, 6], shape: [3])
        try expectClose(x.select(dim: 1, index: 2), [3, 6], shape: [2])
        try expectClose(x.select(dim: 0, index: -1), [4, 5, 6], shape: [3])
    }

    @Test func catAndStack() throws {
        let y = try f32([7, 8, 9], [1, 3])
        try expectClose(Tensor.cat([x, y]), [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [3, 3])
        try expectClose(Tensor.cat([x, f32([0, 0], [2, 1])], dim: 1), [1, 2, 3, 0, 4, 5, 6, 0], shape: [2, 4])
        let a = try f32([1, 2])
        let b = try f32([3, 4])
        try expectClose(Tensor.stack([a, b]), [1, 2, 3, 4], shape: [2, 2])
        try expectClose(Tensor.stack([a, b], dim: 1), [1, 3, 2, 4], shape: [2, 2])
        try expectClose(Tensor.stack([a, b], dim: -1), [1, 3, 2, 4], shape: [2, 2])
    }

    @Test func expand() throws {
        let column = try f32([1, 2, 3], [3, 1])
        try expectClose(column.expand([3, 2]), [1, 1, 2, 2, 3, 3], shape: [3, 2])
        try expectClose(column.expand([2, 3, 2]), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3], shape: [2, 3, 2])
        #expect(try column.expand([-1, 4]).shape == [3, 4])
    }

    @Test func repeatInterleave() throws {
        #expect(try i64([1, 2]).repeatInterleave(2, dim: 0).toArray(Int.self) == [1, 1, 2, 2])
        try expectClose(f32([1, 2, 3, 4], [2, 2]).repeatInterleave(2, dim: 1), [1, 1, 2, 2, 3, 3, 4, 4], shape: [2, 4])
        try expectClose(f32([1, 2, 3, 4], [2, 2]).repeatInterleave(2, dim: 0), [1, 2, 1, 2, 3, 4, 3, 4], shape: [4, 2])
    }

    @Test func indexSelect() throws {
        try expectClose(x.indexSelect(dim: 0, index: i64([1, 0, 1])), [4, 5, 6, 1, 2, 3, 4, 5, 6], shape: [3, 3])
        try expectClose(x.indexSelect(dim: 1, index: i64([2])), [3, 6], shape: [2, 1])
    }

    @Test func gather() throws {
        let t = try f32([1, 2, 3, 4], [2, 2])
        try expectClose(t.gather(dim: 1, index: i64([0, 0, 1, 0], [2, 2])), [1, 1, 4, 3], shape: [2, 2])
        try expectClose(t.gather(dim: 0, index: i64([1, 0], [1, 2])), [3, 2], shape: [1, 2])
    }

    @Test func scatterReturnsACopy() throws {
        let base = try Tensor.zeros([2, 3])
        let out = try base.scatter(dim: 1, index: i64([0, 2, 1, 0], [2, 2]), source: f32([1, 2, 3, 4], [2, 2]))
        try expectClose(out, [1, 0, 2, 4, 3, 0], shape: [2, 3])
        try expectClose(base, [0, 0, 0, 0, 0, 0])
    }

    @Test func scatterAddAccumulatesDuplicates() throws {
        let out = try Tensor.zeros([3]).scatterAdd(dim: 0, index: i64([0, 1, 0, 2, 0]), source: Tensor.ones([5]))
        try expectClose(out, [3, 1, 1])
        let rows = try Tensor.ones([2, 2]).scatterAdd(dim: 1, index: i64([1, 1, 0, 0], [2, 2]),
                                                      source: f32([1, 2, 3, 4], [2, 2]))
        try expectClose(rows, [1, 4, 8, 1], shape: [2, 2])
    }

    @Test func maskedFill() throws {
        let v = try f32([1, 2, 3, 4])
        try expectClose(v.maskedFill(Tensor([true, false, false, true]), -1), [-1, 2, 3, -1])
        try expectClose(v, [1, 2, 3, 4])
        try expectClose(x.maskedFill(Tensor([false, true, false]), 0), [1, 0, 3, 4, 0, 6], shape: [2, 3])
        let inf = try f32([0, 0]).maskedFill(Tensor([true, false]), -.infinity).toArray(Float.self)
        #expect(inf == [-.infinity, 0])
    }

    @Test func trilTriu() throws {
        let ones = try Tensor.ones([3, 3])
        try expectClose(ones.tril(), [1, 0, 0, 1, 1, 0, 1, 1, 1])
        try expectClose(ones.tril(-1), [0, 0, 0, 1, 0, 0, 1, 1, 0])
        try expectClose(ones.triu(), [1, 1, 1, 0, 1, 1, 0, 0, 1])
        try expectClose(ones.triu(1), [0, 1, 1, 0, 0, 1, 0, 0, 0])
        try expectClose(Tensor.ones([2, 3]).tril(), [1, 0, 0, 1, 1, 0], shape: [2, 3])
    }

    @Test func flatten() throws {
        let cube = try Tensor.zeros([2, 3, 4])
        #expect(try cube.flatten().shape == [24])
        #expect(try cube.flatten(from: 1).shape == [2, 12])
        #expect(try cube.flatten(from: 0, to: 1).shape == [6, 4])
        #expect(try Tensor.arange(0, 6).reshape([2, 3]).flatten().toArray(Int.self) == [0, 1, 2, 3, 4, 5])
    }

    @Test func squeezeUnsqueeze() throws {
        let v = try f32([1, 2, 3])
        #expect(try v.unsqueeze(0).shape == [1, 3])
        #expect(try v.unsqueeze(-1).shape == [3, 1])
        #expect(try v.unsqueeze(0).squeeze(0).shape == [3])
        #expect(try v.unsqueeze(1).squeeze(-1).shape == [3])
        #expect(try x.squeeze(0).shape == [2, 3])  // not of size 1: unchanged
        try expectClose(v.unsqueeze(0), [1, 2, 3])
    }
}

// MARK: - Neural-network functions

@Suite struct NNTests {
    @Test func embedding() throws {
        let weight = try f32([0, 1, 2, 3, 4, 5], [3, 2])
        try expectClose(NN.embedding(i64([2, 0], [1, 2]), weight: weight), [4, 5, 0, 1], shape: [1, 2, 2])
        try expectClose(NN.embedding(i64([1]), weight: weight), [2, 3], shape: [1, 2])
    }

    @Test func linearWithAndWithoutBias() throws {
        let x = try f32([1, 2, 3, 4], [2, 2])
        let weight = try f32([1, 0, 0, 1, 1, 1], [3, 2])  // [out 3, in 2]
        try expectClose(NN.linear(x, weight: weight), [1, 2, 3, 3, 4, 7], shape: [2, 3])
        try expectClose(NN.linear(x, weight: weight, bias: f32([10, 20, 30])), [11, 22, 33, 13, 24, 37], shape: [2, 3])
        #expect(try NN.linear(x.reshape([1, 2, 2]), weight: weight).shape == [1, 2, 3])
    }

    @Test func rmsNormMatchesFormula() throws {
        let rows: [[Double]] = [[1, 2, 3], [-1, 0, 0.5]]
        let w: [Double] = [1, 0.5, 2]
        let eps = 1e-6
        func manual(_ weight: [Double]) -> [Double] {
            rows.flatMap { r in
                let inv = 1 / (r.map { $0 * $0 }.reduce(0, +) / Double(r.count) + eps).squareRoot()
                return zip(r, weight).map { $0 * inv * $1 }
            }
        }
        let x = try Tensor(rows.flatMap { $0 }.map(Float.init), shape: [2, 3])
        try expectClose(NN.rmsNorm(x, weight: f32(w.map(Float.init)), eps: eps), manual(w), shape: [2, 3])
        try expectClose(NN.rmsNorm(x, weight: nil, eps: eps), manual([1, 1, 1]), shape: [2, 3])
    }

    @Test func softmaxAndLogSoftmax() throws {
        let logits: [Double] = [1, 2, 3, -1, 0, 1]
        let x = try Tensor(logits.map(Float.init), shape: [2, 3])
        let logProbs = logSoftmaxRow(Array(logits[0..<3])) + logSoftmaxRow(Array(logits[3..<6]))
        try expectClose(NN.softmax(x), logProbs.map(Foundation.exp), shape: [2, 3])
        try expectClose(NN.logSoftmax(x), logProbs, shape: [2, 3])
        // dim 0: columns normalise.
        try expectClose(NN.softmax(x, dim: 0).sum(dim: 0), [1, 1, 1])
        try expectClose(NN.logSoftmax(f32([1000, 0])), [0, -1000])
    }

    // logits rows and targets used by the cross-entropy tests.
    static let ceLogits: [[Double]] = [[1, 2, 3], [1, 1, 1], [0, 2, -1]]
    static func ceTensor() throws -> Tensor { try Tensor(ceLogits.flatMap { $0 }.map(Float.init), shape: [3, 3]) }
    static func nll(_ row: Int, _ target: Int) -> Double { -logSoftmaxRow(ceLogits[row])[target] }

    @Test func crossEntropyReductions() throws {
        let perRow = [Self.nll(0, 2), Self.nll(1, 0), Self.nll(2, 1)]
        let targets = try i64([2, 0, 1])
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: targets, reduction: .none), perRow, shape: [3])
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: targets), [perRow.reduce(0, +) / 3], shape: [])
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: targets, reduction: .sum), [perRow.reduce(0, +)])
    }

    @Test func crossEntropyIgnoreIndex() throws {
        let targets = try i64([2, -100, 1])
        let kept = [Self.nll(0, 2), Self.nll(2, 1)]
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: targets, reduction: .none), [kept[0], 0, kept[1]])
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: targets), [(kept[0] + kept[1]) / 2])
        let custom = try i64([2, 7, 1])
        try expectClose(NN.crossEntropy(Self.ceTensor(), targets: custom, ignoreIndex: 7, reduction: .sum),
                        [kept[0] + kept[1]])
    }

    @Test func crossEntropyLabelSmoothing() throws {
        // (1 − ε)·(−log p_target) + ε · mean over classes of (−log p_c)
        let eps = 0.1
        let targets = [2, 0, 1]
        let perRow = targets.enumerated().map { row, t in
            let lp = logSoftmaxRow(Self.ceLogits[row])
            return (1 - eps) * -lp[t] + eps * -lp.reduce(0, +) / Double(lp.count)
        }
        let loss = try NN.crossEntropy(Self.ceTensor(), targets: i64(targets), labelSmoothing: eps)
        try expectClose(loss, [perRow.reduce(0, +) / 3])
        let none = try NN.crossEntropy(Self.ceTensor(), targets: i64(targets), reduction: .none, labelSmoothing: eps)
        try expectClose(none, perRow)
    }

    /// softmax(q kᵀ / √d + mask) v written with matmul and softmax; `allowed` is bool [L, S].
    static func manualAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, allowed: Tensor? = nil,
                                scale: Double? = nil) throws -> Tensor {
        var scores = try q.matmul(k.transpose(-2, -1)) * (scale ?? 1 / Double(q.size(-1)).squareRoot())
        if let allowed { scores = try scores.maskedFill(allowed.logicalNot(), -.infinity) }
        return try NN.softmax(scores, dim: -1).matmul(v)
    }

    static func qkv(heads: Int, kvHeads: Int, queries: Int = 3, keys: Int = 3, dim: Int = 4, seed: UInt64 = 11) throws
        -> (Tensor, Tensor, Tensor) {
        let g = try Generator(seed: seed)
        return (try Tensor.randn([2, heads, queries, dim], generator: g),
                try Tensor.randn([2, kvHeads, keys, dim], generator: g),
                try Tensor.randn([2, kvHeads, keys, dim], generator: g))
    }

    @Test func attentionMatchesManualFormula() throws {
        let (q, k, v) = try Self.qkv(heads: 2, kvHeads: 2)
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v)
        #expect(out.shape == [2, 2, 3, 4])
        try expectClose(out, try elements(Self.manualAttention(q, k, v)))
        let scaled = try NN.scaledDotProductAttention(query: q, key: k, value: v, scale: 0.3)
        try expectClose(scaled, try elements(Self.manualAttention(q, k, v, scale: 0.3)))
    }

    @Test func causalAttentionMasksFuturePositions() throws {
        let (q, k, v) = try Self.qkv(heads: 2, kvHeads: 2)
        let lower = try Tensor.ones([3, 3]).tril().eq(1)
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v, causal: true)
        try expectClose(out, try elements(Self.manualAttention(q, k, v, allowed: lower)))
        // First query sees only the first key: its output is v[..., 0, :].
        try expectClose(out.select(dim: 2, index: 0), try elements(v.select(dim: 2, index: 0)))
    }

    @Test func causalAttentionAlignsTopLeftWhenFewerQueries() throws {
        let (q, k, v) = try Self.qkv(heads: 1, kvHeads: 1, queries: 2, keys: 3)
        let topLeft = try Tensor.ones([2, 3]).tril().eq(1)  // query i sees keys 0...i
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v, causal: true)
        try expectClose(out, try elements(Self.manualAttention(q, k, v, allowed: topLeft)))
    }

    @Test func attentionWithBooleanMask() throws {
        let (q, k, v) = try Self.qkv(heads: 2, kvHeads: 2)
        let allowed = try Tensor([true, false, true, false, true, true, true, true, false], shape: [3, 3])
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v, mask: allowed)
        try expectClose(out, try elements(Self.manualAttention(q, k, v, allowed: allowed)))
    }

    @Test func attentionWithAdditiveMask() throws {
        let (q, k, v) = try Self.qkv(heads: 2, kvHeads: 2)
        let bias = try f32([0, -1, 0.5, 2, 0, 0, -3, 1, 0], [3, 3])
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v, mask: bias)
        let scores = try q.matmul(k.transpose(-2, -1)) / 2 + bias  // √4 = 2
        try expectClose(out, try elements(NN.softmax(scores).matmul(v)))
    }

    @Test(arguments: [false, true])
    func groupedQueryAttentionEqualsRepeatedHeads(causal: Bool) throws {
        let (q, k, v) = try Self.qkv(heads: 4, kvHeads: 2)
        let out = try NN.scaledDotProductAttention(query: q, key: k, value: v, causal: causal)
        #expect(out.shape == [2, 4, 3, 4])
        // Query heads 0,1 use kv head 0; heads 2,3 use kv head 1.
        let kRep = try k.repeatInterleave(2, dim: 1)
        let vRep = try v.repeatInterleave(2, dim: 1)
        let expected = try NN.scaledDotProductAttention(query: q, key: kRep, value: vRep, causal: causal)
        try expectClose(out, try elements(expected))
        let lower: Tensor? = try causal ? Tensor.ones([3, 3]).tril().eq(1) : nil
        try expectClose(out, try elements(Self.manualAttention(q, kRep, vRep, allowed: lower)))
    }

    @Test func tokenLogProbsEqualsLogSoftmaxGather() throws {
        let g = try Generator(seed: 3)
        let logits = try Tensor.randn([2, 3, 5], generator: g)
        let targets = try Tensor.randint(0, 5, [2, 3], generator: g)
        let got = try NN.tokenLogProbs(logits: logits, targets: targets)
        #expect(got.shape == [2, 3] && got.dtype == .float32)
        let expected = try NN.logSoftmax(logits).gather(dim: -1, index: targets.unsqueeze(-1)).squeeze(-1)
        try expectClose(got, try elements(expected))
        // Computed in float32 whatever the input dtype.
        #expect(try NN.tokenLogProbs(logits: logits.to(.bfloat16), targets: targets).dtype == .float32)
        #expect(try NN.tokenLogProbs(logits: logits.to(.float64), targets: targets).dtype == .float32)
    }

    @Test func tokenEntropyEqualsMinusSumPLogP() throws {
        let g = try Generator(seed: 5)
        let logits = try Tensor.randn([2, 3, 6], generator: g) * 3
        let got = try NN.tokenEntropy(logits: logits)
        #expect(got.shape == [2, 3] && got.dtype == .float32)
        let expected = try -(NN.softmax(logits) * NN.logSoftmax(logits)).sum(dim: -1)
        try expectClose(got, try elements(expected))
        try expectClose(NN.tokenEntropy(logits: Tensor.zeros([4])), [Foundation.log(4)], shape: [])
        try expectClose(NN.tokenEntropy(logits: f32([0, -1e4])), [0], tolerance: 1e-6)
    }

    @Test func multinomialWithOneHotDistribution() throws {
        let g = try Generator(seed: 1)
        let probs = try f32([0, 0, 1, 0, 1, 0, 0, 0], [2, 4])
        let one = try NN.multinomial(probs, generator: g)
        #expect(one.shape == [2, 1] && one.dtype == .int64)
        #expect(try one.toArray(Int.self) == [2, 0])
        let many = try NN.multinomial(probs, samples: 5, replacement: true, generator: g)
        #expect(try many.toArray(Int.self) == [2, 2, 2, 2, 2, 0, 0, 0, 0, 0])
        #expect(try NN.multinomial(f32([0, 3, 0]), generator: g).toArray(Int.self) == [1])  // unnormalised
    }
}

// MARK: - Errors

@Suite struct TensorErrorTests {
    @Test func matmulShapeMismatch() throws {
        try expectTorchError(naming: "matmul") { try Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 3])) }
    }

    @Test func addShapeMismatch() throws {
        try expectTorchError(naming: "add") { try Tensor.zeros([2]) + Tensor.zeros([3]) }
    }

    @Test func reshapeToWrongCount() throws {
        try expectTorchError(naming: "reshape") { try Tensor.zeros([2, 3]).reshape([4]) }
    }

    @Test func viewOfNonContiguous() throws {
        try expectTorchError(naming: "view") { try Tensor.zeros([2, 3]).transpose(0, 1).view([6]) }
    }

    @Test func catMismatchedShapes() throws {
        try expectTorchError(naming: "cat") { try Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([2, 2])]) }
    }

    @Test func selectIndexOutOfRange() throws {
        try expectTorchError(naming: "select") { try Tensor.zeros([2, 3]).select(dim: 1, index: 3) }
    }

    @Test func indexSelectIndexOutOfRange() throws {
        try expectTorchError(naming: "index_select") {
            try Tensor.zeros([2, 3]).indexSelect(dim: 0, index: i64([0, 7]))
        }
    }

    @Test func arrayDoesNotFillShape() throws {
        try expectTorchError(naming: "Tensor(_:shape:)") { try f32([1, 2, 3], [2, 2]) }
    }

    @Test func crossEntropyWithFloatTargets() throws {
        try expectTorchError(naming: "cross_entropy") {
            try NN.crossEntropy(Tensor.zeros([2, 3]), targets: f32([0, 1]))
        }
    }

    @Test func itemOfManyElements() throws {
        try expectTorchError(naming: "item") { try Tensor.zeros([2]).item() }
    }

    @Test func attentionWithIncompatibleHeads() throws {
        try expectTorchError(naming: "scaled_dot_product_attention") {
            try NN.scaledDotProductAttention(query: Tensor.zeros([1, 3, 2, 4]), key: Tensor.zeros([1, 2, 2, 4]),
                                             value: Tensor.zeros([1, 2, 2, 4]))
        }
    }
}
