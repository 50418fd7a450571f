import Engine

/// What the safetensors fuzzer does with one input, shared with the regression tests: opens it
/// as an in-memory file and reads every byte of every tensor, so that a header whose ranges the
/// validation let through wrongly shows up as an out-of-bounds read.
public enum SafeTensorsFuzzEntry {
    /// Throws `SafeTensorsError` for a malformed file, which is the expected outcome for most inputs.
    public static func run(_ bytes: [UInt8]) throws {
        let file = try SafeTensorsFile(bytes: bytes, name: "fuzz-input.safetensors")
        var covered = 0
        for name in file.tensorNames {
            let info = try file.info(name)
            let (count, _) = try file.withBytes(of: name) { tensor in
                (tensor.count, tensor.reduce(UInt8(0)) { $0 &+ $1 })
            }
            precondition(count == info.byteRange.count, "tensor '\(name)' hands out \(count) bytes for \(info.byteRange)")
            covered += count
        }
        _ = file.metadata.count
        // The message for an absent name ranks every tensor name.
        _ = try? file.info("\u{0}absent")
        precondition(covered <= bytes.count, "tensors cover \(covered) bytes of a \(bytes.count)-byte file")
    }
}
