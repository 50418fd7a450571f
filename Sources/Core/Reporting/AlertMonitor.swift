import Foundation

/// Watches a run's metrics step by step for the usual ways RL on language models goes wrong.
/// Each alert is raised once when its condition begins, not on every step while it lasts, and
/// may be raised again after the condition has cleared. A step that does not record a metric
/// leaves that metric's alert as it was (evaluation metrics, for one, come only every few steps).
public struct AlertMonitor: Sendable {
    public let thresholds: AlertThresholds
    /// Metrics that must stay finite; a NaN here usually means the update diverged.
    public static let finiteKeys = ["reward_mean", "loss", "grad_norm", "kl", "advantage_mean"]

    private var active: Set<AlertKind> = []
    private var lowEntropySteps = 0
    private var firstEntropy: Double?
    private var zeroRewardStdSteps = 0
    private var bestEvalAccuracy: (value: Double, step: Int)?

    public init(thresholds: AlertThresholds = AlertThresholds()) {
        self.thresholds = thresholds
    }

    /// `groupsWithIdenticalCompletions` counts the step's groups whose completions are all equal;
    /// it is read as a fraction of the groups the step generated (`groups_kept` +
    /// `groups_dropped`), or, where those are not recorded, any such group counts. Without it the
    /// `identical_groups_fraction` metric is used.
    public mutating func observe(step: Int, metrics: [String: Double], groupsWithIdenticalCompletions: Int? = nil) -> [Alert] {
        var alerts: [Alert] = []
        func check(_ kind: AlertKind, _ condition: Bool?, _ message: @autoclosure () -> String) {
            guard let condition else { return }
            if !condition {
                active.remove(kind)
            } else if active.insert(kind).inserted {
                alerts.append(Alert(kind: kind, step: step, message: message()))
            }
        }
        let t = thresholds

        let entropy = metrics["entropy"].flatMap(finite)
        if let entropy {
            let start = firstEntropy ?? entropy
            firstEntropy = start
            let low = entropy < t.entropyFloor && entropy < t.entropyDropFraction * start
            lowEntropySteps = low ? lowEntropySteps + 1 : 0
        }
        check(.entropyCollapse, entropy.map { _ in lowEntropySteps >= t.entropyPatience },
              "entropy \(format(entropy)) has been below \(format(t.entropyFloor)) and under \(format(t.entropyDropFraction * 100))% of "
                  + "its starting \(format(firstEntropy)) for \(lowEntropySteps) steps: the policy is collapsing onto a few completions")

        let identical = identicalGroups(metrics, groupsWithIdenticalCompletions)
        check(.identicalCompletions, identical.map { $0.fraction >= t.identicalGroupsFraction },
              "\(identical?.share ?? "") have identical completions: group-relative advantages are zero there")

        let rewardStd = metrics["reward_std"].flatMap(finite)
        if let rewardStd { zeroRewardStdSteps = rewardStd <= 1e-12 ? zeroRewardStdSteps + 1 : 0 }
        check(.rewardVarianceZero, rewardStd.map { _ in zeroRewardStdSteps >= t.zeroRewardStdSteps },
              "reward_std has been 0 for \(zeroRewardStdSteps) steps: every completion scores the same, so there is no learning signal")

        let kl = metrics["kl"].flatMap(finite)
        check(.klBound, kl.map { $0 > t.klBound },
              "KL \(format(kl)) exceeds \(format(t.klBound)): the policy is drifting far from the reference")

        let recorded = Self.finiteKeys.filter { metrics[$0] != nil }
        let nonFinite = recorded.filter { !metrics[$0]!.isFinite }
        check(.nonFinite, recorded.isEmpty ? nil : !nonFinite.isEmpty,
              "\(nonFinite.map { "\($0)=\(metrics[$0]!)" }.joined(separator: ", ")): the update has diverged")

        if let accuracy = metrics["eval_accuracy"].flatMap(finite) {
            let best = bestEvalAccuracy
            check(.evalRegression, best.map { accuracy < $0.value - t.evalRegressionMargin } ?? false,
                  "held-out accuracy \(format(accuracy)) is \(format((best?.value ?? accuracy) - accuracy)) below its best, "
                      + "\(format(best?.value)) at step \(best?.step ?? step)")
            if accuracy > best?.value ?? -.infinity { bestEvalAccuracy = (accuracy, step) }
        }
        return alerts
    }

    /// The fraction of groups with identical completions, and how to say it.
    private func identicalGroups(_ metrics: [String: Double], _ count: Int?) -> (fraction: Double, share: String)? {
        guard let count else {
            return metrics["identical_groups_fraction"].flatMap(finite).map { ($0, "\(format($0 * 100))% of groups") }
        }
        let groups = (metrics["groups_kept"] ?? 0) + (metrics["groups_dropped"] ?? 0)
        if groups > 0 { return (Double(count) / groups, "\(count) of \(Int(groups)) groups") }
        return (count > 0 ? 1 : 0, "\(count) groups")
    }

    private func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    private func format(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: "%.3g", value)
    }
}
