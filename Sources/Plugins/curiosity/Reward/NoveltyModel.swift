import SeededRandom

/// Random network distillation on feature vectors (Burda et al. 2018): a frozen random target
/// network and a predictor trained to imitate it. The predictor's error is small on inputs
/// like those it was trained on and large on new ones, so it measures novelty.
struct NoveltyModel {
    /// Whitened inputs are clipped to ±this, as RND does.
    static let inputClip = 5.0

    let target: TwoLayerNetwork
    var predictor: TwoLayerNetwork
    var optimizer: AdamOptimizer
    var inputMoments: RunningMoments

    init(inputs: Int, hidden: Int, outputs: Int, learningRate: Double, seed: UInt64) {
        var targetDraws = SplitMix64(seed: seed, 1)
        var predictorDraws = SplitMix64(seed: seed, 2)
        target = TwoLayerNetwork(inputs: inputs, hidden: hidden, outputs: outputs, generator: &targetDraws)
        predictor = TwoLayerNetwork(inputs: inputs, hidden: hidden, outputs: outputs, generator: &predictorDraws)
        optimizer = AdamOptimizer(learningRate: learningRate, parameterCount: predictor.parameters.count)
        inputMoments = RunningMoments(dimensions: inputs)
    }

    /// Adds the batch to the running input statistics, then returns it whitened and clipped:
    /// clip((e − μ) / (σ + 1e-8), −5, 5).
    mutating func whiten(_ batch: [[Double]]) -> [[Double]] {
        batch.forEach { inputMoments.add($0) }
        let mean = inputMoments.mean
        let deviation = inputMoments.standardDeviation
        return batch.map { e in
            e.indices.map { k in min(Self.inputClip, max(-Self.inputClip, (e[k] - mean[k]) / (deviation[k] + 1e-8))) }
        }
    }

    /// ‖P(x) − T(x)‖² / k.
    func novelty(_ x: [Double]) -> Double {
        let predicted = predictor.forward(x).output
        let wanted = target.forward(x).output
        return zip(predicted, wanted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(target.outputs)
    }

    /// One Adam step on the batch's mean novelty (the MSE between predictor and target).
    mutating func train(_ batch: [[Double]]) {
        guard !batch.isEmpty else { return }
        var gradient = [Double](repeating: 0, count: predictor.parameters.count)
        let scale = 2 / (Double(target.outputs) * Double(batch.count))
        for x in batch {
            let (hidden, predicted) = predictor.forward(x)
            let wanted = target.forward(x).output
            let outputGradient = zip(predicted, wanted).map { scale * ($0 - $1) }
            predictor.accumulateGradient(&gradient, x: x, hidden: hidden, outputGradient: outputGradient)
        }
        optimizer.update(&predictor.parameters, gradient: gradient)
    }
}
