import Engine

/// A frozen weight stored in 4-bit NF4: the tensor is cut into blocks of `blockSize`
/// consecutive elements (row-major), each block is divided by its absolute maximum and every
/// element is kept as the index of the nearest NF4 level. Memory: half a byte per element plus
/// a float32 per block (4.5 bits per weight with blocks of 64), against 16 or 32 for bf16 / f32.
public struct QuantizedWeight: Sendable {
    /// uint8 [paddedCount / 2]: two 4-bit codes per byte, earlier element in the high nibble.
    public let codes: Tensor
    /// float32 [blocks]: each block's absolute maximum (the scale its codes are multiplied by).
    public let absmax: Tensor
    /// Shape and dtype of the original tensor, restored by `dequantized()`.
    public let shape: [Int]
    public let dtype: DType
    public let blockSize: Int
    /// Elements of the original tensor; the last block is padded with zeros up to `blockSize`.
    public let count: Int
    private let levelPairs: Tensor

    /// Quantizes `weight` (any floating-point dtype and shape) in blocks of `blockSize`.
    public init(quantizing weight: Tensor, blockSize: Int = 64) throws {
        guard blockSize > 0, blockSize % 2 == 0 else {
            throw ModelError("NF4 block size must be a positive even number (two codes share a byte), got \(blockSize)")
        }
        guard weight.dtype.isFloatingPoint else { throw ModelError("NF4 quantizes floating-point weights, got \(weight.dtype)") }
        guard weight.count > 0 else { throw ModelError("NF4 cannot quantize an empty tensor of shape \(weight.shape)") }
        let count = weight.count
        let blocks = (count + blockSize - 1) / blockSize
        let (codes, absmax) = try withNoGrad { () throws -> (Tensor, Tensor) in
            var flat = try weight.detached().to(.float32).reshape([-1])
            guard try flat.isFinite().all().item() != 0 else {
                throw ModelError("NF4 cannot quantize a weight of shape \(weight.shape) holding NaN or infinite values")
            }
            if blocks * blockSize > count {
                flat = try Tensor.cat([flat, Tensor.zeros([blocks * blockSize - count], device: weight.device)])
            }
            let grid = try flat.reshape([blocks, blockSize])
            let absmax = try grid.abs().amax(dims: [1], keepDim: true)
            // An all-zero block has absmax 0; dividing by the smallest normal float instead of
            // 0 maps it to the zero level, and 0 × level dequantizes it back to exact zeros.
            let normalized = try grid / absmax.clamp(min: Double(Float.leastNormalMagnitude))
            return (try NF4.pack(NF4.codes(of: normalized).reshape([-1])), try absmax.reshape([blocks]))
        }
        self.codes = codes
        self.absmax = absmax
        self.shape = weight.shape
        self.dtype = weight.dtype
        self.blockSize = blockSize
        self.count = count
        levelPairs = try NF4.levelPairs(device: weight.device)
    }

    public var device: Device { codes.device }
    public var blocks: Int { absmax.count }

    /// Bytes held: the packed codes and the float32 scales.
    public var byteCount: Int { codes.count + absmax.count * DType.float32.byteSize }

    /// Bytes the dense tensor took (and `dequantized()` allocates).
    public var denseByteCount: Int { count * dtype.byteSize }

    /// The weight back in its shape and dtype: level × absmax for every element. A new tensor
    /// each call, outside autograd (the codes are frozen).
    public func dequantized() throws -> Tensor {
        try withNoGrad {
            // index_select takes int32 indices: half the temporary of int64.
            let values = try levelPairs.indexSelect(dim: 0, index: codes.to(.int32))
                .reshape([blocks, blockSize]) * absmax.unsqueeze(1)
            var flat = try values.reshape([-1])
            if flat.count > count { flat = try flat.slice(dim: 0, end: count) }
            return try flat.reshape(shape).to(dtype)
        }
    }

    /// x·Wᵀ for this 2-D weight, dequantizing W inside the call (and again in the backward
    /// pass) so no dense copy outlives it.
    public func linear(_ x: Tensor) throws -> Tensor {
        guard shape.count == 2 else { throw ModelError("a 4-bit linear needs a 2-D weight, this one is \(shape)") }
        return try NN.nf4Linear(x, codes: codes, absmax: absmax, levelPairs: levelPairs, blockSize: blockSize,
                                outputs: shape[0], inputs: shape[1])
    }

    /// The 4-bit codes unpacked, one per element (uint8 0...15, [count]); for inspection and tests.
    public func unpackedCodes() throws -> Tensor {
        try withNoGrad { try NF4.unpack(codes).slice(dim: 0, end: count) }
    }
}
