/// The seeds' stability aids, as trainer options: adaptive KL (the learning rate is lowered
/// while the KL to the reference passes a target), an entropy floor (an entropy bonus that
/// grows while entropy is under a minimum and fades once it is back), and an early stop when
/// the policy has collapsed. Gradient-norm spike skipping lives in the update itself.
public struct StabilitySettings: Sendable, Equatable {
    /// KL above this lowers the learning rate by `klRateFactor` (once per step); nil = off.
    public var klTarget: Double?
    public var klRateFactor = 0.5
    /// Entropy under this raises the trainer's entropy bonus by `entropyBonusStep`, up to
    /// `entropyBonusMax`; nil = off.
    public var entropyFloor: Double?
    public var entropyBonusStep = 0.002
    public var entropyBonusMax = 0.05
    /// Stop the run once entropy stays under `collapseEntropy` (or every group's rewards are
    /// equal) for `collapsePatience` steps in a row.
    public var stopOnCollapse = false
    public var collapseEntropy = 0.02
    public var collapsePatience = 5
    public init() {}
}

/// Applies `StabilitySettings` step by step from the step's metrics.
struct StabilityController {
    let settings: StabilitySettings
    /// Multiplies the scheduled learning rate.
    private(set) var learningRateScale = 1.0
    /// Weight of −mean entropy added to the loss by the trainer.
    private(set) var entropyBonus = 0.0
    private var collapsedSteps = 0
    private(set) var collapsed = false

    init(_ settings: StabilitySettings) { self.settings = settings }

    /// Updates the controls from a finished step; returns log lines for what changed.
    mutating func observe(_ metrics: [String: Double]) -> [String] {
        var lines: [String] = []
        if let target = settings.klTarget, let kl = metrics["kl"], kl > target {
            learningRateScale *= settings.klRateFactor
            lines.append("KL \(format(kl)) is over the target \(format(target)): learning rate scaled to \(format(learningRateScale))x")
        }
        if let floor = settings.entropyFloor, let entropy = metrics["entropy"] {
            let before = entropyBonus
            entropyBonus = entropy < floor ? min(settings.entropyBonusMax, entropyBonus + settings.entropyBonusStep)
                : max(0, entropyBonus - settings.entropyBonusStep)
            if entropyBonus != before {
                lines.append("entropy \(format(entropy)) vs floor \(format(floor)): entropy bonus \(format(before)) -> \(format(entropyBonus))")
            }
        }
        if settings.stopOnCollapse {
            let lowEntropy = metrics["entropy"].map { $0 < settings.collapseEntropy } ?? false
            let noSignal = metrics["reward_std"] == 0
            collapsedSteps = lowEntropy || noSignal ? collapsedSteps + 1 : 0
            if collapsedSteps >= settings.collapsePatience && !collapsed {
                collapsed = true
                lines.append("collapsed: \(lowEntropy ? "entropy under \(format(settings.collapseEntropy))" : "every reward equal") for \(collapsedSteps) steps; stopping")
            }
        }
        return lines
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
