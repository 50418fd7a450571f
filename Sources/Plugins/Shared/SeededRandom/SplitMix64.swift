import Foundation

/// A small seeded generator (SplitMix64) with its own integer and real draws, so that generated
/// data, held-out splits and network initialisations are the same on every platform and Swift
/// version (the standard library's `random(in:using:)` does not promise a fixed algorithm).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one member of a family (e.g. item `index` of split `stream`): the parts
    /// are mixed so that neighbouring indices give unrelated sequences.
    public init(seed: UInt64, _ parts: UInt64...) {
        var mixed = SplitMix64(seed: seed)
        for part in parts { mixed = SplitMix64(seed: mixed.next() ^ part) }
        state = mixed.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (multiply-high; the bias is below 2^-40 for the small ranges used here).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: width).high)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u = 1 - unit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }

    public mutating func element<T>(of items: [T]) -> T { items[int(in: 0...(items.count - 1))] }

    /// Fisher–Yates with this generator's draws.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, int(in: 0...i))
        }
    }
}

/// FNV-1a, a stable 64-bit hash of text (Swift's `Hasher` is seeded per process).
public func stableHash(_ text: String, seed: UInt64 = 0) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01B3
    }
    return hash
}
