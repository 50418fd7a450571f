/// The few pieces of the protobuf wire format a TensorBoard Event needs, written by hand so this
/// module depends on Foundation only.
enum WireType: UInt64 {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
}

struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func key(_ field: Int, _ type: WireType) { varint(UInt64(field) << 3 | type.rawValue) }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        littleEndian(value.bitPattern)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        littleEndian(value.bitPattern)
    }

    /// int64 fields are varints of the two's-complement bits (negative numbers take ten bytes).
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

struct ProtobufError: Error {
    let message: String
}

/// Walks the fields of one message in order; unknown fields are returned like any other, for
/// the caller to skip.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private let data: ArraySlice<UInt8>
    private var position: Int

    init(_ data: ArraySlice<UInt8>) {
        self.data = data
        position = data.startIndex
    }

    mutating func next() throws -> (field: Int, value: Value)? {
        guard position < data.endIndex else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch WireType(rawValue: key & 7) {
        case .varint: return (field, .varint(try varint()))
        case .fixed64: return (field, .fixed64(try littleEndian(UInt64.self)))
        case .fixed32: return (field, .fixed32(try littleEndian(UInt32.self)))
        case .lengthDelimited:
            let length = try varint()
            guard length <= UInt64(data.endIndex - position) else { throw ProtobufError(message: "field \(field) runs past the end") }
            let start = position
            position += Int(length)
            return (field, .bytes(data[start..<position]))
        case nil: throw ProtobufError(message: "field \(field) has unsupported wire type \(key & 7)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < data.endIndex else { throw ProtobufError(message: "varint runs past the end") }
            let byte = data[position]
            position += 1
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return result }
        }
        throw ProtobufError(message: "varint longer than ten bytes")
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard data.endIndex - position >= size else { throw ProtobufError(message: "fixed-width field runs past the end") }
        var value: T = 0
        for offset in 0..<size { value |= T(data[position + offset]) << T(8 * offset) }
        position += size
        return value
    }
}
