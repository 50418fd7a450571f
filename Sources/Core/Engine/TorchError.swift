import RLRunABI

/// An error raised by libtorch (shape or dtype mismatch, out-of-range index, ...) or by the
/// engine's own argument checks, carried into Swift instead of aborting the process.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// The message the shim stored for this thread when the last call failed.
    static func last(_ operation: String) -> TorchError {
        TorchError("\(operation): \(String(cString: api.pointee.last_error()!))")
    }
}

/// Takes ownership of a handle returned by the shim, or throws its error.
@inline(__always)
func wrap(_ handle: rt_tensor?, _ operation: @autoclosure () -> String) throws -> Tensor {
    guard let handle else { throw TorchError.last(operation()) }
    return Tensor(owning: handle)
}

@inline(__always)
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    if status != 0 { throw TorchError.last(operation()) }
}

/// Passes `[Int]` to the shim as `const int64_t *` without copying (Int is 64-bit here).
@inline(__always)
func withInt64Buffer<R>(_ values: [Int], _ body: (UnsafePointer<Int64>?, Int32) throws -> R) rethrows -> R {
    try values.withUnsafeBufferPointer { buffer in
        try buffer.withMemoryRebound(to: Int64.self) { try body($0.baseAddress, Int32($0.count)) }
    }
}

/// Passes tensor handles to the shim as `const rt_tensor *`.
@inline(__always)
func withHandles<R>(_ tensors: [Tensor], _ body: (UnsafePointer<rt_tensor?>?, Int32) throws -> R) rethrows -> R {
    let handles: [rt_tensor?] = tensors.map { $0.handle }
    return try withExtendedLifetime(tensors) {
        try handles.withUnsafeBufferPointer { try body($0.baseAddress, Int32($0.count)) }
    }
}

/// The engine table this image computes with: libtorch's, installed when the host loads, or
/// the host's, installed by the plugin SDK before a plugin's code runs.
@inline(__always)
var api: UnsafePointer<rt_api> { rlrun_engine() }
