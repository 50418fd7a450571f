import Foundation

/// Learning rate as a function of the optimizer step. The decay follows transformers'
/// schedulers; the warm-up is shifted by one step so that the first update already moves
/// (rate base·1/warmup, where transformers gives 0). Stateless: the step alone determines the
/// rate, so resuming needs only the step.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The base rate throughout (after the warm-up, if any).
        case constant
        /// Linear warm-up, then linear decay to `minRatio` × base at `totalSteps`.
        case linear
        /// Linear warm-up, then half a cosine down to `minRatio` × base at `totalSteps`.
        case cosine
    }

    public var kind: Kind
    public var baseRate: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minRatio: Double

    public init(kind: Kind, baseRate: Double, warmupSteps: Int = 0, totalSteps: Int = 1, minRatio: Double = 0) {
        self.kind = kind
        self.baseRate = baseRate
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
        self.minRatio = minRatio
    }

    /// The rate for optimizer step `step` (0-based: the first update uses step 0).
    public func rate(atStep step: Int) -> Double {
        if step < warmupSteps {
            return baseRate * Double(step + 1) / Double(warmupSteps)
        }
        let decaySteps = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(decaySteps))
        let factor: Double
        switch kind {
        case .constant: factor = 1
        case .linear: factor = 1 - progress
        case .cosine: factor = 0.5 * (1 + cos(Double.pi * progress))
        }
        return baseRate * (minRatio + (1 - minRatio) * factor)
    }
}
