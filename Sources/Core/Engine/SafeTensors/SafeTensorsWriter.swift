import Foundation

/// Collects tensors and writes them as a safetensors file laid out exactly as the Python `safetensors` library
/// (`save_file`) lays it out, so our files can be compared byte for byte with reference files:
///
/// - tensors ordered by dtype alignment, largest first, then by name (bytewise), which puts every tensor at an
///   offset that is a multiple of its element size;
/// - header JSON compact, `__metadata__` first (omitted when empty), then the tensors in data order, each as
///   `{"dtype":…,"shape":…,"data_offsets":[begin,end]}`;
/// - header padded with spaces to a multiple of 8 bytes, so the data section starts 8-byte aligned.
///
/// Metadata keys are written sorted; Python writes them in hash order, so files with two or more metadata entries
/// can differ from Python's in that order only.
public struct SafeTensorsWriter: Sendable {
    /// String-to-string metadata stored as `__metadata__` (Hugging Face files carry `"format": "pt"`).
    public var metadata: [String: String]
    private var entries: [String: Entry] = [:]

    private struct Entry: Sendable {
        let name: String
        let dtype: DType
        let shape: [Int]
        let bytes: [UInt8]
    }

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor whose `bytes` hold its elements in row-major order, little-endian.
    public mutating func add(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        try validateEntry(name: name, dtype: dtype, shape: shape, byteCount: bytes.count)
        entries[name] = Entry(name: name, dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Adds a tensor, copying its `bytes` (row-major, little-endian).
    public mutating func add(name: String, dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer) throws {
        try validateEntry(name: name, dtype: dtype, shape: shape, byteCount: bytes.count)
        entries[name] = Entry(name: name, dtype: dtype, shape: shape, bytes: Array(bytes))
    }

    /// The complete file content.
    public func serialized() -> [UInt8] {
        let (prefix, ordered) = layout()
        return ordered.reduce(into: prefix) { $0 += $1.bytes }
    }

    /// Writes the file atomically (temporary file, fsync, rename; see `AtomicFile`), streaming the tensors rather
    /// than assembling the whole file in memory.
    public func write(to url: URL) throws {
        let (prefix, ordered) = layout()
        try AtomicFile.write(to: url) { sink in
            try sink.write(prefix)
            for entry in ordered {
                try sink.write(entry.bytes)
            }
        }
    }

    private func validateEntry(name: String, dtype: DType, shape: [Int], byteCount: Int) throws {
        let problem = { (problem: String, remedy: String) in
            SafeTensorsError(file: nil, problem: problem, remedy: remedy)
        }
        guard name != "__metadata__" else {
            throw problem(
                "the tensor name \"__metadata__\" is reserved for the header's metadata", "Rename the tensor.")
        }
        guard entries[name] == nil else {
            throw problem("tensor '\(name)' is added twice", "Give each tensor a unique name.")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw problem("tensor '\(name)' has a negative dimension in its shape \(shape)", "Pass a valid shape.")
        }
        guard let expected = dtype.byteCount(shape: shape) else {
            throw problem("tensor '\(name)' has shape \(shape) whose byte size overflows", "Pass a valid shape.")
        }
        guard expected == byteCount else {
            throw problem(
                "tensor '\(name)' has \(byteCount) bytes "
                    + "but dtype \(dtype.safetensorsName) and shape \(shape) need \(expected)",
                "Pass the tensor's full contiguous data, or fix its dtype or shape.")
        }
    }

    /// The length prefix and padded header, and the entries in data order.
    private func layout() -> (prefix: [UInt8], ordered: [Entry]) {
        let ordered = entries.values.sorted {
            $0.dtype.alignmentRank != $1.dtype.alignmentRank
                ? $0.dtype.alignmentRank > $1.dtype.alignmentRank
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { jsonString($0.key) + ":" + jsonString($0.value) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in ordered {
            let end = offset + entry.bytes.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(jsonString(entry.name) + ":{\"dtype\":\"\(entry.dtype.safetensorsName)\","
                + "\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        let length = UInt64(header.count).littleEndian
        return (withUnsafeBytes(of: length) { Array($0) } + header, ordered)
    }
}

extension DType {
    /// Position in the Rust crate's `Dtype` enum, which orders dtypes by size; the Python library sorts tensors by
    /// it (descending) before laying them out. `rawValue` cannot serve: it follows the C shim's codes.
    fileprivate var alignmentRank: Int {
        switch self {
        case .bool: 0
        case .uint8: 1
        case .float16: 2
        case .bfloat16: 3
        case .int32: 4
        case .float32: 5
        case .float64: 6
        case .int64: 7
        }
    }
}

/// `string` as a JSON string literal, escaped exactly as serde_json (the Python library's serializer) does:
/// quote, backslash and control characters only, lowercase `\u00xx` for those without a short form.
private func jsonString(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
