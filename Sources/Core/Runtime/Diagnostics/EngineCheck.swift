import Engine
import Foundation

/// A self-check of the engine on this machine: libtorch loads, CUDA is or is not usable (and
/// why), and a small network learns, which exercises autograd, AdamW, the learning-rate
/// schedule and gradient clipping end to end.
public struct EngineCheck: Sendable {
    public struct Report: Sendable {
        public let torchVersion: String
        public let threads: Int
        public let cuda: String
        public let lossBefore: Double
        public let lossAfter: Double
        public let accuracy: Double
        public let seconds: Double
    }

    public var steps: Int
    public var seed: UInt64

    public init(steps: Int = 300, seed: UInt64 = 0) {
        self.steps = steps
        self.seed = seed
    }

    /// Trains a two-layer network to tell which of two noisy clusters a point came from.
    public func run(progress: (Int, Double) -> Void = { _, _ in }) throws -> Report {
        let start = Date()
        let cuda: String
        do {
            try Engine.requireCUDA()
            cuda = "available (\(Engine.cudaDeviceCount) device(s))"
        } catch {
            cuda = "not available: \(error)"
        }

        let generator = try Generator(seed: seed)
        let (inputs, labels) = try twoClusters(count: 512, generator: generator)
        let w1 = try (Tensor.randn([32, 2], generator: generator) * 0.5).requiringGrad()
        let b1 = try Tensor.zeros([32]).requiringGrad()
        let w2 = try (Tensor.randn([2, 32], generator: generator) * 0.5).requiringGrad()
        let b2 = try Tensor.zeros([2]).requiringGrad()
        let parameters = [w1, b1, w2, b2]
        let optimizer = try AdamW(parameters: parameters, options: .init(weightDecay: 0.01))
        let schedule = LearningRateSchedule(kind: .cosine, baseRate: 0.05, warmupSteps: 10, totalSteps: steps)

        func logits() throws -> Tensor {
            try NN.linear(NN.linear(inputs, weight: w1, bias: b1).silu(), weight: w2, bias: b2)
        }

        let lossBefore = try withNoGrad { try NN.crossEntropy(logits(), targets: labels).item() }
        for step in 0..<steps {
            let loss = try NN.crossEntropy(logits(), targets: labels)
            try loss.backward()
            try clipGradientNorm(parameters, maxNorm: 1.0)
            try optimizer.step(lr: schedule.rate(atStep: step))
            try optimizer.zeroGrad()
            if step % 50 == 0 { progress(step, try loss.item()) }
        }
        return try withNoGrad {
            let out = try logits()
            let lossAfter = try NN.crossEntropy(out, targets: labels).item()
            let accuracy = try out.argmax(dim: 1).eq(labels).to(.float32).mean().item()
            return Report(torchVersion: Engine.torchVersion, threads: Engine.threads, cuda: cuda,
                          lossBefore: lossBefore, lossAfter: lossAfter, accuracy: accuracy,
                          seconds: Date().timeIntervalSince(start))
        }
    }

    /// Points around (+1, +1) labelled 0 and around (−1, −1) labelled 1.
    private func twoClusters(count: Int, generator: Generator) throws -> (Tensor, Tensor) {
        let labels = try Tensor.randint(0, 2, [count], generator: generator)
        let centres = try 1 - 2 * labels.to(.float32).unsqueeze(1).expand([count, 2])
        let points = try centres + Tensor.randn([count, 2], generator: generator) * 0.7
        return (points, labels)
    }
}
