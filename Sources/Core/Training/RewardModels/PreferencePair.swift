import SeededRandom

/// One judged pair: for `prompt`, `chosen` was preferred over `rejected`, by at least `margin`
/// (in score units; 0 when the data gives none).
public struct PreferencePair: Sendable, Equatable {
    public var prompt: String
    public var chosen: String
    public var rejected: String
    public var margin: Double

    public init(prompt: String, chosen: String, rejected: String, margin: Double = 0) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.margin = margin
    }

    /// A seeded held-out split: round(fraction × count) pairs chosen by a shuffle, both parts in
    /// the file's order (the same rule as the dataset plugins' `held_out`).
    public static func split(_ pairs: [PreferencePair], heldOutFraction fraction: Double, seed: UInt64)
        -> (train: [PreferencePair], heldOut: [PreferencePair]) {
        var order = Array(pairs.indices)
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&order)
        let chosen = Set(order.prefix(Int((fraction * Double(pairs.count)).rounded())))
        return (pairs.indices.filter { !chosen.contains($0) }.map { pairs[$0] }, chosen.sorted().map { pairs[$0] })
    }
}
