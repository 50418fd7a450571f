import Testing
@testable import Engine
@testable import Models

/// NF4 on single tensors: the level table, hand-checked values, packing, and the rounding
/// error on Gaussian weights.
struct NF4QuantizationTests {
    @Test func levelTableIsBitsandbytesNF4() {
        #expect(NF4.levels.count == 16)
        #expect(NF4.levels.first == -1 && NF4.levels.last == 1 && NF4.levels[7] == 0)
        #expect(zip(NF4.levels, NF4.levels.dropFirst()).allSatisfy { $0 < $1 })
        #expect(NF4.levels[8] == 0.07958029955625534 && NF4.levels[1] == -0.6961928009986877)
    }

    /// [-2, -1, 0, 0.5, 1, 2] / absmax 2 = [-1, -0.5, 0, 0.25, 0.5, 1], whose nearest levels are
    /// -1 (code 0), -0.52507 (2: 0.025 away, -0.39492 is 0.105), 0 (7), 0.24611 (10),
    /// 0.44071 (12: 0.059 away, 0.56262 is 0.063) and 1 (15); times 2 those are the values below.
    @Test(arguments: [6, 64])
    func handCheckedBlockDequantizesToTheNearestLevels(blockSize: Int) throws {
        let weight = try Tensor([Float(-2), -1, 0, 0.5, 1, 2], shape: [2, 3])
        let quantized = try QuantizedWeight(quantizing: weight, blockSize: blockSize)
        #expect(try quantized.absmax.toArray(Float.self) == [2])
        #expect(try quantized.unpackedCodes().toArray(UInt8.self) == [0, 2, 7, 10, 12, 15])
        let restored = try quantized.dequantized()
        #expect(restored.shape == [2, 3] && restored.dtype == .float32)
        #expect(try restored.toArray(Float.self) == [-2, -1.0501461029052734, 0, 0.4922246038913727, 0.8814196586608887, 2])
    }

    @Test func everyBlockHasItsOwnScale() throws {
        let weight = try Tensor([Float(1), -0.5, 0.25, 0, 10, 5, -10, 0], shape: [2, 4])
        let quantized = try QuantizedWeight(quantizing: weight, blockSize: 4)
        #expect(try quantized.absmax.toArray(Float.self) == [1, 10])
        let l = NF4.levels
        #expect(try quantized.dequantized().toArray(Float.self) == [1, l[2], l[10], 0, 10, l[12] * 10, -10, 0])
    }

    @Test func packingPutsTheEarlierCodeInTheHighNibbleAndRoundTrips() throws {
        let codes = try Tensor([UInt8(0), 1, 15, 14, 7, 8, 15, 15])
        let packed = try NF4.pack(codes)
        #expect(packed.dtype == .uint8)
        #expect(try packed.toArray(UInt8.self) == [1, 254, 120, 255])
        #expect(try NF4.unpack(packed).toArray(UInt8.self) == codes.toArray(UInt8.self))
        let everyByte = try Tensor.arange(256).to(.uint8)
        #expect(try NF4.pack(NF4.unpack(everyByte)).toArray(UInt8.self) == everyByte.toArray(UInt8.self))
        #expect(throws: ModelError.self) { try NF4.pack(Tensor([UInt8(1), 2, 3])) }
    }

    /// Gaussian weights in blocks of 64: every element lies within half the widest gap between
    /// neighbouring levels (0.152, between -1 and -0.696) times its block's absmax; codes are
    /// the nearest level found by brute force; the mean absolute error is about 0.073 (the
    /// figure a NumPy simulation of the same scheme gives for N(0, 1) blocks of 64).
    @Test func gaussianRoundTripStaysWithinNF4sErrorBound() throws {
        let (rows, columns, blockSize) = (128, 256, 64)
        let weight = try Tensor.randn([rows, columns], generator: Generator(seed: 7))
        let quantized = try QuantizedWeight(quantizing: weight, blockSize: blockSize)
        #expect(quantized.blocks == rows * columns / blockSize)
        #expect(quantized.codes.count == rows * columns / 2)

        let original = try weight.toArray(Float.self)
        let restored = try quantized.dequantized().toArray(Float.self)
        let absmax = try quantized.absmax.toArray(Float.self)
        let codes = try quantized.unpackedCodes().toArray(UInt8.self)
        var totalError: Float = 0
        for i in original.indices {
            let scale = absmax[i / blockSize]
            let error = abs(restored[i] - original[i])
            #expect(error <= 0.1521 * scale + 1e-6, "element \(i): \(original[i]) → \(restored[i])")
            totalError += error
            let normalized = original[i] / scale
            let nearest = NF4.levels.indices.min { abs(NF4.levels[$0] - normalized) < abs(NF4.levels[$1] - normalized) }!
            #expect(Int(codes[i]) == nearest, "element \(i)")
        }
        let meanError = totalError / Float(original.count)
        #expect(meanError > 0.06 && meanError < 0.085, "mean absolute error \(meanError)")
        #expect(Set(codes).count == 16)
    }

    @Test func oddShapesPadTheLastBlockAndKeepShapeAndDType() throws {
        let weight = try Tensor.randn([3, 5], generator: Generator(seed: 1)).to(.bfloat16)
        let quantized = try QuantizedWeight(quantizing: weight, blockSize: 64)
        #expect(quantized.blocks == 1 && quantized.codes.count == 32 && quantized.count == 15)
        let restored = try quantized.dequantized()
        #expect(restored.shape == [3, 5] && restored.dtype == .bfloat16)
        let error = try (restored.to(.float32) - weight.to(.float32)).abs().max().item()
        #expect(try error <= 0.1521 * quantized.absmax.item() + 0.01)
    }

    @Test func zeroBlocksStayExactlyZero() throws {
        let weight = try Tensor.cat([Tensor.zeros([64]), Tensor.randn([64], generator: Generator(seed: 2))]).reshape([2, 64])
        let restored = try QuantizedWeight(quantizing: weight, blockSize: 64).dequantized()
        #expect(try restored.isFinite().all().item() == 1)
        #expect(try restored.select(dim: 0, index: 0).abs().max().item() == 0)
    }

    @Test func badInputsGiveClearErrors() throws {
        let weight = try Tensor.randn([4, 4], generator: Generator(seed: 3))
        #expect { try QuantizedWeight(quantizing: weight, blockSize: 7) } throws: { "\($0)".contains("even") }
        #expect { try QuantizedWeight(quantizing: weight, blockSize: 0) } throws: { "\($0)".contains("positive") }
        #expect { try QuantizedWeight(quantizing: Tensor([Int64(1), 2]), blockSize: 2) } throws: { "\($0)".contains("floating-point") }
        let broken = try Tensor([Float(1), .nan, 2, 3])
        #expect { try QuantizedWeight(quantizing: broken, blockSize: 2) } throws: { "\($0)".contains("NaN") }
    }

    /// The 4-bit linear (one autograd node that dequantizes again in backward) against a plain
    /// linear over the dequantized weight: same values, same gradient of x; odd sizes pad.
    @Test func fourBitLinearMatchesTheDenseLinearAndItsGradient() throws {
        let weight = try Tensor.randn([5, 7], generator: Generator(seed: 4))
        let quantized = try QuantizedWeight(quantizing: weight, blockSize: 4)
        let dense = try quantized.dequantized()
        let x = try Tensor.randn([3, 2, 7], generator: Generator(seed: 5)).requiringGrad()
        let y = try quantized.linear(x)
        let expected = try NN.linear(x.detached(), weight: dense)
        #expect(y.shape == [3, 2, 5])
        #expect(try (y - expected).abs().max().item() < 1e-6)
        let upstream = try Tensor.randn([3, 2, 5], generator: Generator(seed: 6))
        try (y * upstream).sum().backward()
        let gradient = try #require(x.grad)
        #expect(try (gradient - upstream.matmul(dense)).abs().max().item() < 1e-5)
        #expect(throws: ModelError.self) { try QuantizedWeight(quantizing: Tensor.randn([8], generator: Generator(seed: 1)), blockSize: 4).linear(x) }
    }
}
