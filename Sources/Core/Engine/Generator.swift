import RLRunABI

/// A seeded random-number generator for one device. Its whole state can be read and
/// restored, so a resumed run draws exactly the numbers an uninterrupted one would.
public final class Generator: @unchecked Sendable {
    let handle: rt_generator
    public let device: Device
    /// The seed the generator was created with.
    public let seed: UInt64

    /// libtorch's CPU generator (mt19937) keeps only 32 bits of its seed, so the high half is
    /// folded into the low one: seeds that differ only in their high half still differ.
    public init(seed: UInt64, device: Device = .cpu) throws {
        try Engine.prepare(device)
        let code = device.code
        let folded = device == .cpu ? (seed ^ (seed >> 32)) & 0xFFFF_FFFF : seed
        guard let handle = api.pointee.generator_new(code.type, code.index, folded) else {
            throw TorchError.last("Generator(seed: \(seed), device: \(device))")
        }
        self.handle = handle
        self.device = device
        self.seed = seed
    }

    deinit { api.pointee.generator_free(handle) }

    /// The full state as a uint8 tensor (save it with the checkpoint).
    public func state() throws -> Tensor { try wrap(api.pointee.generator_get_state(handle), "generator state") }

    public func setState(_ state: Tensor) throws {
        try check(withExtendedLifetime(state) { api.pointee.generator_set_state(handle, state.handle) }, "set generator state")
    }
}

extension Tensor {
    /// Standard normal samples.
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                             generator: Generator) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.randn($0, $1, device.options(dtype), generator.handle) }, "randn(\(shape))")
    }

    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                            generator: Generator) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.rand($0, $1, device.options(dtype), generator.handle) }, "rand(\(shape))")
    }

    /// Uniform integers in low..<high.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64,
                               device: Device = .cpu, generator: Generator) throws -> Tensor {
        try wrap(withInt64Buffer(shape) {
            api.pointee.randint(Int64(low), Int64(high), $0, $1, device.options(dtype), generator.handle)
        }, "randint(\(low)..<\(high), \(shape))")
    }
}
