/// A cheap fixed-size description of a text: its character n-grams hashed into `dimensions`
/// signed buckets (the hashing trick; the sign keeps collisions from only adding up), scaled
/// to unit length so that long and short texts are compared by what they say, not how much.
struct CharacterNgramFeatures {
    let dimensions: Int
    let n: Int

    func vector(_ text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: dimensions)
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= n else { return vector }
        for start in 0...(scalars.count - n) {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for scalar in scalars[start..<(start + n)] {
                hash = (hash ^ UInt64(scalar.value)) &* 0x100_0000_01B3
            }
            vector[Int(hash % UInt64(dimensions))] += (hash >> 63) == 0 ? 1 : -1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
