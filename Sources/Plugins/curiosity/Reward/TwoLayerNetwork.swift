import SeededRandom

/// A multilayer perceptron input → ReLU hidden → linear output, in plain arrays: the
/// networks of a curiosity bonus on a few hundred features are small enough that a tensor
/// engine would cost more than it saves. Parameters live in one flat array
/// [W1 (hidden×input), b1, W2 (output×hidden), b2] so that the optimiser and the checkpoint
/// see a single vector.
struct TwoLayerNetwork {
    let inputs: Int
    let hidden: Int
    let outputs: Int
    var parameters: [Double]

    /// He-initialised weights (normal, variance 2 / fan-in) and zero biases.
    init(inputs: Int, hidden: Int, outputs: Int, generator: inout SplitMix64) {
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        parameters = []
        parameters.reserveCapacity(hidden * inputs + hidden + outputs * hidden + outputs)
        let scale1 = (2 / Double(inputs)).squareRoot()
        let scale2 = (2 / Double(hidden)).squareRoot()
        for _ in 0..<(hidden * inputs) { parameters.append(generator.gaussian() * scale1) }
        parameters += [Double](repeating: 0, count: hidden)
        for _ in 0..<(outputs * hidden) { parameters.append(generator.gaussian() * scale2) }
        parameters += [Double](repeating: 0, count: outputs)
    }

    private var b1: Int { hidden * inputs }
    private var w2: Int { b1 + hidden }
    private var b2: Int { w2 + outputs * hidden }

    /// The hidden activations (after ReLU) and the output.
    func forward(_ x: [Double]) -> (hidden: [Double], output: [Double]) {
        parameters.withUnsafeBufferPointer { p in
            var h = [Double](repeating: 0, count: hidden)
            for j in 0..<hidden {
                var sum = p[b1 + j]
                for i in 0..<inputs { sum += p[j * inputs + i] * x[i] }
                h[j] = max(0, sum)
            }
            var y = [Double](repeating: 0, count: outputs)
            for o in 0..<outputs {
                var sum = p[b2 + o]
                for j in 0..<hidden { sum += p[w2 + o * hidden + j] * h[j] }
                y[o] = sum
            }
            return (h, y)
        }
    }

    /// Adds to `gradient` the parameter gradient for input `x` given dLoss/dOutput.
    func accumulateGradient(_ gradient: inout [Double], x: [Double], hidden h: [Double], outputGradient dy: [Double]) {
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                var dh = [Double](repeating: 0, count: hidden)
                for o in 0..<outputs {
                    g[b2 + o] += dy[o]
                    for j in 0..<hidden {
                        g[w2 + o * hidden + j] += dy[o] * h[j]
                        dh[j] += dy[o] * p[w2 + o * hidden + j]
                    }
                }
                for j in 0..<hidden where h[j] > 0 {
                    g[b1 + j] += dh[j]
                    for i in 0..<inputs { g[j * inputs + i] += dh[j] * x[i] }
                }
            }
        }
    }
}
