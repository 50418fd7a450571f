import RLRunSDK

/// Little-endian encoding of the numbers a checkpoint holds.
struct StateWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(_ values: [Double]) {
        write(UInt64(values.count))
        values.forEach { write($0) }
    }
}

/// Reads what `StateWriter` wrote; a short or foreign byte string is an error, not a crash.
struct StateReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func uint64() throws -> UInt64 {
        guard position + 8 <= bytes.count else { throw PluginError(.input, "curiosity state is cut short at byte \(position)") }
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[position + k]) << UInt64(8 * k) }
        position += 8
        return value
    }

    mutating func double() throws -> Double { Double(bitPattern: try uint64()) }

    mutating func doubles(count expected: Int) throws -> [Double] {
        let count = try uint64()
        guard count == UInt64(expected) else {
            throw PluginError(.input, "curiosity state holds \(count) values where \(expected) were expected: was it saved with other options?")
        }
        return try (0..<expected).map { _ in try double() }
    }
}
