/// TFRecord framing: each record is its length (uint64, little-endian), the masked CRC-32C of
/// those eight bytes, the data, and the masked CRC-32C of the data.
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        return length + le32(CRC32C.masked(length)) + data + le32(CRC32C.masked(data))
    }

    /// The data of every record, each checked against both of its CRCs.
    static func records(in bytes: [UInt8], file: String) throws -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = []
        var position = 0
        while position < bytes.count {
            let failure = { (message: String) in ReportingError(file: file, location: "record \(records.count)", message: message) }
            guard bytes.count - position >= 12 else { throw failure("truncated header (\(bytes.count - position) of 12 bytes)") }
            let lengthBytes = bytes[position..<position + 8]
            guard readLE32(bytes, at: position + 8) == CRC32C.masked(lengthBytes) else { throw failure("length CRC mismatch") }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let dataStart = position + 12
            guard length <= UInt64(bytes.count - dataStart), bytes.count - dataStart - Int(length) >= 4 else {
                throw failure("truncated data (record says \(length) bytes, \(bytes.count - dataStart) left with its CRC)")
            }
            let data = bytes[dataStart..<dataStart + Int(length)]
            guard readLE32(bytes, at: data.endIndex) == CRC32C.masked(data) else { throw failure("data CRC mismatch") }
            records.append(data)
            position = data.endIndex + 4
        }
        return records
    }

    private static func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }

    private static func readLE32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << UInt32(8 * $1) }
    }
}
