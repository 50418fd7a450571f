import Foundation

/// How a raw reward-model score becomes a reward. Bradley–Terry fixes scores only up to a shift,
/// so every choice but `none` first subtracts the mean score of the training responses (kept in
/// the model's folder); per completion, never per batch, so a score does not depend on its
/// neighbours.
public enum ScoreNormalization: String, CaseIterable, Sendable {
    /// The head's output as it is.
    case none
    /// Minus the training mean: positive means better than the average training response.
    case center
    /// Centred and divided by the training standard deviation.
    case standardize
    /// σ(centred score) in (0, 1): the probability of beating an average training response.
    case sigmoid

    public func apply(_ score: Double, statistics: ScoreStatistics?) -> Double {
        let centred = score - (statistics?.mean ?? 0)
        switch self {
        case .none: return score
        case .center: return centred
        case .standardize: return centred / max(statistics?.std ?? 1, 1e-6)
        case .sigmoid: return 1 / (1 + exp(-centred))
        }
    }
}
