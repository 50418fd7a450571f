import PolicyObjectives
import RLRunSDK
import Testing

/// A tensor of `values` in `shape`, float64 unless said.
func tensor(_ values: [Double], _ shape: [Int]? = nil, _ dtype: DType = .float64) throws -> Tensor {
    try Tensor(values, shape: shape ?? [values.count]).to(dtype)
}

func array(_ t: Tensor) throws -> [Double] { try t.toArray(Double.self) }

func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-9, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        Issue.record("\(what)[\(i)] = \(a), expected \(e)", sourceLocation: sourceLocation)
    }
}

func expectClose(_ actual: Double, _ expected: Double, tolerance: Double = 1e-9, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose([actual], [expected], tolerance: tolerance, what, sourceLocation: sourceLocation)
}

func metric(_ metrics: LossMetrics, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
    try #require(metrics.first { $0.name == name }, "no metric \(name) in \(metrics.map(\.name))", sourceLocation: sourceLocation).value
}

/// Checks the gradients `backward()` gives for `loss(inputs)` against central differences
/// (f(x + h) − f(x − h)) / 2h, element by element; `inputs` are float64 leaves.
func expectGradientsMatchFiniteDifferences(_ inputs: [Tensor], h: Double = 1e-6, tolerance: Double = 1e-6,
                                           sourceLocation: SourceLocation = #_sourceLocation,
                                           _ loss: ([Tensor]) throws -> Tensor) throws {
    for x in inputs { try x.requiringGrad() }
    try loss(inputs).backward()
    let analytic = try inputs.map { try array(#require($0.grad, sourceLocation: sourceLocation)) }
    try withNoGrad {
        for (i, x) in inputs.enumerated() {
            let base = try array(x)
            func at(_ j: Int, _ delta: Double) throws -> Double {
                var shifted = base
                shifted[j] += delta
                var arguments = inputs
                arguments[i] = try tensor(shifted, x.shape)
                return try loss(arguments).item()
            }
            let numeric = try base.indices.map { j in try (at(j, h) - at(j, -h)) / (2 * h) }
            expectClose(analytic[i], numeric, tolerance: tolerance, "d loss / d input \(i)", sourceLocation: sourceLocation)
        }
    }
}

/// Deterministic values in [low, high) from a small linear congruential generator, so the
/// tests need no RNG state of the engine.
func pseudoRandom(_ count: Int, seed: UInt64, in range: ClosedRange<Double>) -> [Double] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return range.lowerBound + Double(state >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }
}

func configuration<T: PluginDefinition>(_ type: T.Type, _ given: [String: JSONValue] = [:]) throws -> PluginConfiguration {
    try PluginConfiguration(pluginID: T.info.id, options: T.info.options, given: given)
}

func make<T: PluginDefinition>(_ type: T.Type, _ given: [String: JSONValue] = [:], host: PluginHost = PluginHost()) throws -> T {
    try T(configuration: configuration(type, given), host: host)
}

func rollout(groupSize: Int, maxNewTokens: Int = 16, lengths: [Int], truncated: [Bool]? = nil,
             correct: [Double?]? = nil) -> Rollout {
    Rollout(groupSize: groupSize, maxNewTokens: maxNewTokens, completionTokens: lengths,
            truncated: truncated ?? lengths.map { _ in false }, correct: correct ?? lengths.map { _ in nil })
}

/// Loss inputs in float64: three sequences of four tokens with 4, 2 and 3 valid; ratios spread
/// over [0.55, 1.8] so that every clip is active somewhere, token-varying advantages of both
/// signs, values within reach of the value clip.
struct RandomLossBatch {
    let old, logp, ref, advantages, entropy, mask, values, oldValues, returns: Tensor

    init() throws {
        let old = pseudoRandom(12, seed: 1, in: -3 ... -0.1)
        let values = pseudoRandom(12, seed: 6, in: -1...1)
        self.old = try tensor(old, [3, 4])
        logp = try tensor(zip(old, pseudoRandom(12, seed: 2, in: -0.6...0.6)).map(+), [3, 4])
        ref = try tensor(pseudoRandom(12, seed: 3, in: -3 ... -0.1), [3, 4])
        advantages = try tensor(pseudoRandom(12, seed: 4, in: -1.5...1.5), [3, 4])
        entropy = try tensor(pseudoRandom(12, seed: 5, in: 0.1...3), [3, 4])
        mask = try tensor([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0], [3, 4])
        self.values = try tensor(values, [3, 4])
        oldValues = try tensor(zip(values, pseudoRandom(12, seed: 7, in: -0.4...0.4)).map(+), [3, 4])
        returns = try tensor(pseudoRandom(12, seed: 8, in: -1...1), [3, 4])
    }

    /// The loss inputs of rows `rows`, with `logp`, `entropy` or `values` in place of the batch's own.
    func inputs(logp: Tensor? = nil, entropy: Tensor? = nil, values: Tensor? = nil, rows: Range<Int> = 0..<3) throws -> LossInputs {
        func cut(_ t: Tensor) throws -> Tensor { try t.slice(dim: 0, start: rows.lowerBound, end: rows.upperBound) }
        return LossInputs(logProbs: try cut(logp ?? self.logp), oldLogProbs: try cut(old), refLogProbs: try cut(ref),
                          advantages: try cut(advantages), mask: try cut(mask), entropy: try cut(entropy ?? self.entropy),
                          values: try cut(values ?? self.values), oldValues: try cut(oldValues), returns: try cut(returns),
                          stepTokens: 9, stepSequences: 3, maxNewTokens: 6)
    }
}
