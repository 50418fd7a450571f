import RLRunABI

/// An n-dimensional array backed by a libtorch tensor.
///
/// Operations never mutate their operands: each returns a new `Tensor`, so a `Tensor` reads
/// like a value. Several handles may share storage (views such as `reshape` or `slice`), as in
/// PyTorch. The handle is released when the last Swift reference goes away. Methods whose
/// name ends in `InPlace` are the explicit exceptions (optimiser updates, buffers).
public final class Tensor: @unchecked Sendable {
    let handle: rt_tensor

    init(owning handle: rt_tensor) { self.handle = handle }

    deinit { api.pointee.free(handle) }

    /// A tensor for a handle borrowed across the plugin boundary: takes a reference of its own,
    /// so it stays valid after the call that lent it returns.
    public convenience init(retaining handle: OpaquePointer) throws {
        guard let copy = api.pointee.shallow_copy(handle) else { throw TorchError.last("retain tensor handle") }
        self.init(owning: copy)
    }

    /// A tensor taking over a handle the other side of the plugin boundary handed out.
    public convenience init(adopting handle: OpaquePointer) { self.init(owning: handle) }

    /// The raw handle, borrowed: valid only while this tensor is alive.
    public var borrowedHandle: OpaquePointer { handle }

    /// A new reference to this tensor's handle for the other side of the plugin boundary,
    /// which becomes responsible for freeing it.
    public func retainedHandle() throws -> OpaquePointer {
        guard let handle = api.pointee.shallow_copy(handle) else { throw TorchError.last("retain tensor handle") }
        return handle
    }

    // MARK: Inspection

    public var shape: [Int] {
        let rank = Int(api.pointee.ndim(handle))
        return [Int](unsafeUninitializedCapacity: rank) { buffer, count in
            buffer.withMemoryRebound(to: Int64.self) { _ = api.pointee.shape(handle, $0.baseAddress, Int32(rank)) }
            count = rank
        }
    }

    public var rank: Int { Int(api.pointee.ndim(handle)) }
    public var count: Int { Int(api.pointee.numel(handle)) }

    public func size(_ dim: Int) -> Int {
        let dims = shape
        return dims[dim < 0 ? dim + dims.count : dim]
    }

    public var dtype: DType {
        // Every tensor the engine creates has a supported dtype.
        DType(rawValue: api.pointee.get_dtype(handle)) ?? .float32
    }

    public var device: Device {
        var index: Int32 = 0
        let type = api.pointee.get_device(handle, &index)
        return type == Int32(RT_CUDA.rawValue) ? .cuda(Int(index)) : .cpu
    }

    public var isContiguous: Bool { api.pointee.is_contiguous(handle) }

    // MARK: From and to Swift arrays

    /// A tensor holding `values` with the given shape (a vector when `shape` is nil).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil, device: Device = .cpu) throws {
        let dims = shape ?? [values.count]
        let expected = dims.reduce(1, *)
        guard expected == values.count else {
            throw TorchError("Tensor(_:shape:): \(values.count) values do not fill shape \(dims)")
        }
        let handle = values.withUnsafeBytes { bytes in
            withInt64Buffer(dims) { api.pointee.from_data(bytes.baseAddress, $0, $1, device.options(T.dtype)) }
        }
        guard let handle else { throw TorchError.last("Tensor(_:shape:)") }
        self.init(owning: handle)
    }

    /// A 0-dimensional tensor.
    public convenience init<T: TensorElement>(scalar: T, device: Device = .cpu) throws {
        try self.init([scalar], shape: [], device: device)
    }

    /// A tensor built from raw little-endian bytes of `dtype` (e.g. a safetensors entry).
    public convenience init(bytes: UnsafeRawBufferPointer, dtype: DType, shape: [Int], device: Device = .cpu) throws {
        let expected = shape.reduce(1, *) * dtype.byteSize
        guard expected == bytes.count else {
            throw TorchError("Tensor(bytes:): \(bytes.count) bytes for \(dtype) \(shape), expected \(expected)")
        }
        let handle = withInt64Buffer(shape) { api.pointee.from_data(bytes.baseAddress, $0, $1, device.options(dtype)) }
        guard let handle else { throw TorchError.last("Tensor(bytes:)") }
        self.init(owning: handle)
    }

    /// The elements converted to `T`, in row-major order, copied to the host.
    public func toArray<T: TensorElement>(_ type: T.Type = T.self) throws -> [T] {
        let n = count
        var status: Int32 = 0
        let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            status = api.pointee.copy_to_host(handle, T.dtype.rawValue, buffer.baseAddress, n * MemoryLayout<T>.stride)
            initialized = status == 0 ? n : 0
        }
        try check(status, "toArray")
        return values
    }

    /// The raw bytes of the elements in `dtype`, row-major (for writing safetensors).
    public func bytes() throws -> [UInt8] {
        let n = count * dtype.byteSize
        var status: Int32 = 0
        let values = [UInt8](unsafeUninitializedCapacity: n) { buffer, initialized in
            status = api.pointee.copy_to_host(handle, dtype.rawValue, buffer.baseAddress, n)
            initialized = status == 0 ? n : 0
        }
        try check(status, "bytes")
        return values
    }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var value = 0.0
        try check(api.pointee.item_double(handle, &value), "item")
        return value
    }

    public func itemInt() throws -> Int {
        var value: Int64 = 0
        try check(api.pointee.item_int64(handle, &value), "itemInt")
        return Int(value)
    }

    // MARK: Creation

    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.zeros($0, $1, device.options(dtype)) }, "zeros(\(shape))")
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.ones($0, $1, device.options(dtype)) }, "ones(\(shape))")
    }

    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.empty($0, $1, device.options(dtype)) }, "empty(\(shape))")
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try wrap(withInt64Buffer(shape) { api.pointee.full($0, $1, value, device.options(dtype)) }, "full(\(shape))")
    }

    /// Values 0, 1, ... below end.
    public static func arange(_ end: Double, dtype: DType = .int64, device: Device = .cpu) throws -> Tensor {
        try arange(0, end, dtype: dtype, device: device)
    }

    /// Values start, start+step, ... below end.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .int64,
                              device: Device = .cpu) throws -> Tensor {
        try wrap(api.pointee.arange(start, end, step, device.options(dtype)), "arange(\(start), \(end), \(step))")
    }

    // MARK: Conversion

    public func to(_ dtype: DType) throws -> Tensor {
        if dtype == self.dtype { return self }
        return try wrap(api.pointee.to_dtype(handle, dtype.rawValue), "to(\(dtype))")
    }

    public func to(_ device: Device, dtype: DType? = nil) throws -> Tensor {
        let target = dtype ?? self.dtype
        if device == self.device && target == self.dtype { return self }
        return try wrap(api.pointee.to(handle, device.options(target)), "to(\(device))")
    }

    public func clone() throws -> Tensor { try wrap(api.pointee.clone(handle), "clone") }
    public func contiguous() throws -> Tensor { try wrap(api.pointee.contiguous(handle), "contiguous") }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview: String
        if count <= 16, let values = try? toArray(Double.self) {
            preview = values.map { "\($0)" }.joined(separator: ", ")
        } else {
            preview = "…"
        }
        return "Tensor(\(dtype), \(shape), \(device)) [\(preview)]"
    }
}
