import Foundation

// Tensors to and from safetensors files: how weights, adapters and checkpoints are stored.

extension SafeTensorsFile {
    /// The named tensor, copied out of the mapping onto `device`, optionally converted.
    public func tensor(_ name: String, device: Device = .cpu, dtype: DType? = nil) throws -> Tensor {
        let info = try info(name)
        let loaded = try withBytes(of: name) { try Tensor(bytes: $0, dtype: info.dtype, shape: info.shape, device: device) }
        return try dtype.map { try loaded.to($0) } ?? loaded
    }

    /// Every tensor of the file by name.
    public func tensors(device: Device = .cpu, dtype: DType? = nil) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in tensorNames { result[name] = try tensor(name, device: device, dtype: dtype) }
        return result
    }
}

extension SafeTensorsWriter {
    /// Adds the tensor's current values (copied to the host) under `name`.
    public mutating func add(name: String, tensor: Tensor) throws {
        try add(name: name, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.bytes())
    }

    /// Writes `tensors` (with `metadata`) to `url` atomically.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        var writer = SafeTensorsWriter(metadata: metadata)
        for (name, tensor) in tensors { try writer.add(name: name, tensor: tensor) }
        try writer.write(to: url)
    }
}
