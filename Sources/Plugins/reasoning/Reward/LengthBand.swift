/// A length preference that does not reward padding: full credit inside [minimum, maximum],
/// falling in proportion outside it (half credit at half the minimum or twice the maximum).
struct LengthBand {
    let minimum: Int
    let maximum: Int

    func score(length: Int) -> Double {
        if length < minimum { return Double(length) / Double(minimum) }
        if length > maximum { return Double(maximum) / Double(length) }
        return 1
    }
}
