import Engine
import Foundation

/// The Bradley–Terry pairwise loss of reward modelling (ALGORITHMS.md §7, TRL's RewardTrainer):
/// −mean log σ(r_c − r_r − m), plus c · mean((r_c + r_r)²) to keep scores centred on zero.
public enum BradleyTerry {
    /// chosen, rejected [B] scores; margins [B] or nil (0 for every pair).
    public static func loss(chosen: Tensor, rejected: Tensor, margins: Tensor? = nil, centerCoefficient: Double = 0) throws -> Tensor {
        var difference = try chosen - rejected
        if let margins { difference = try difference - margins }
        var loss = try -logSigmoid(difference).mean()
        if centerCoefficient != 0 {
            loss = try loss + (chosen + rejected).square().mean() * centerCoefficient
        }
        return loss
    }

    /// log σ(x) as log_softmax([x, 0])[0]: finite for every x (log(sigmoid(x)) is −∞ below about
    /// −104) and with the exact gradient 1 − σ(x) everywhere, where min(x, 0) − log(1 + e^−|x|)
    /// would take a subgradient at x = 0.
    public static func logSigmoid(_ x: Tensor) throws -> Tensor {
        try NN.logSoftmax(Tensor.stack([x, x * 0], dim: -1), dim: -1).select(dim: -1, index: 0)
    }

    /// The pair accuracy: the share of pairs whose chosen response scores strictly higher.
    public static func accuracy(chosen: [Double], rejected: [Double]) -> Double {
        guard !chosen.isEmpty else { return 0 }
        return Double(zip(chosen, rejected).filter { $0 > $1 }.count) / Double(chosen.count)
    }

    /// The loss on plain numbers (held-out evaluation, without the centring term).
    public static func loss(chosen: [Double], rejected: [Double], margins: [Double]? = nil) -> Double {
        guard !chosen.isEmpty else { return 0 }
        var total = 0.0
        for i in chosen.indices {
            let x = chosen[i] - rejected[i] - (margins?[i] ?? 0)
            total -= Swift.min(x, 0) - log1p(exp(-Swift.abs(x)))
        }
        return total / Double(chosen.count)
    }
}
