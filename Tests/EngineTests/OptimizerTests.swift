import Foundation
import Testing
@testable import Engine

@Suite struct AdamWTests {
    /// torch.optim.AdamW written out for one scalar parameter.
    static func reference(theta: Double, grads: [Double], lr: Double, beta1: Double, beta2: Double, eps: Double,
                          weightDecay: Double) -> Double {
        var theta = theta, m = 0.0, v = 0.0
        for (i, g) in grads.enumerated() {
            let t = Double(i + 1)
            theta -= lr * weightDecay * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            let mHat = m / (1 - Foundation.pow(beta1, t))
            let vHat = v / (1 - Foundation.pow(beta2, t))
            theta -= lr * mHat / (vHat.squareRoot() + eps)
        }
        return theta
    }

    @Test(arguments: [1, 3])
    func matchesFormula(steps: Int) throws {
        let p = try Tensor([Float(1.5), -2.0], shape: [2]).requiringGrad()
        let options = AdamW.Options(beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1)
        let optimizer = try AdamW(parameters: [p], options: options)
        // loss = sum(c * p) + 0.5 * sum(p^2): gradient c + p, recomputed each step.
        let c = try Tensor([Float(0.3), -0.7])
        var history: [[Double]] = [[], []]
        for _ in 0..<steps {
            let loss = try (c * p).sum() + (p * p).sum() * 0.5
            try loss.backward()
            let g = try #require(p.grad).toArray(Double.self)
            history[0].append(g[0]); history[1].append(g[1])
            try optimizer.step(lr: 0.01)
            try optimizer.zeroGrad()
        }
        let got = try p.toArray(Double.self)
        let expected = [1.5, -2.0].enumerated().map { i, start in
            Self.reference(theta: start, grads: history[i], lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1)
        }
        for i in 0..<2 { #expect(Swift.abs(got[i] - expected[i]) < 1e-6, "element \(i): \(got[i]) vs \(expected[i])") }
    }
}
