import Foundation

/// Adam (Kingma & Ba 2015) over a flat parameter vector, with bias-corrected moments.
struct AdamOptimizer {
    let learningRate: Double
    let beta1 = 0.9
    let beta2 = 0.999
    let epsilon = 1e-8
    var step: Double = 0
    var firstMoment: [Double]
    var secondMoment: [Double]

    init(learningRate: Double, parameterCount: Int) {
        self.learningRate = learningRate
        firstMoment = [Double](repeating: 0, count: parameterCount)
        secondMoment = firstMoment
    }

    mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        step += 1
        let correction1 = 1 - pow(beta1, step)
        let correction2 = 1 - pow(beta2, step)
        for k in parameters.indices {
            firstMoment[k] = beta1 * firstMoment[k] + (1 - beta1) * gradient[k]
            secondMoment[k] = beta2 * secondMoment[k] + (1 - beta2) * gradient[k] * gradient[k]
            parameters[k] -= learningRate * (firstMoment[k] / correction1) / ((secondMoment[k] / correction2).squareRoot() + epsilon)
        }
    }
}
