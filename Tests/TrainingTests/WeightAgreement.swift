import Testing

/// Expects weights trained two ways (one process and N ranks) to agree. Gradients are summed
/// in another order (per rank, then across ranks), and Adam magnifies rounding where a gradient
/// element nearly cancels: float tolerance is measured against how far training moved the weights.
func expectSameWeights(_ a: [[Float]], _ b: [[Float]], startingFrom initial: [[Float]],
                       sourceLocation: SourceLocation = #_sourceLocation) {
    var largest: Float = 0, moved: Float = 0
    for ((x, y), start) in zip(zip(a, b), initial) {
        for ((u, v), u0) in zip(zip(x, y), start) {
            largest = max(largest, abs(u - v))
            moved = max(moved, abs(u - u0))
        }
    }
    #expect(moved > 0.01, "training moved the weights by \(moved)", sourceLocation: sourceLocation)
    #expect(largest < 1e-3 * moved, "largest parameter difference \(largest), largest change \(moved)", sourceLocation: sourceLocation)
}
