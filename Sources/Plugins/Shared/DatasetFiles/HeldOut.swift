import SeededRandom

/// Carves a held-out split out of a list: a seeded shuffle picks round(fraction × count)
/// items, and both parts keep the file's order so that a reader can find them.
public enum HeldOut {
    public static func split<Item>(_ items: [Item], fraction: Double, seed: UInt64) -> (kept: [Item], heldOut: [Item]) {
        var order = Array(items.indices)
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&order)
        let chosen = Set(order.prefix(Int((fraction * Double(items.count)).rounded())))
        return (items.indices.filter { !chosen.contains($0) }.map { items[$0] }, chosen.sorted().map { items[$0] })
    }
}
