import Foundation
import RLRunSDK

/// `progressive`: a curriculum. The rate goes from `start` to `end` over training,
/// rate = start + (end − start) · f(progress), with f(p) = p (linear) or (1 − cos πp) / 2
/// (cosine: slow at both ends). Positions are then masked independently at that rate.
public final class ProgressiveMasking: PluginDefinition, MaskingStrategy {
    public enum Schedule: String, CaseIterable, Sendable {
        case linear, cosine

        /// f(progress) for progress in [0, 1]; f(0) = 0, f(1) = 1.
        public func fraction(_ progress: Double) -> Double {
            switch self {
            case .linear: progress
            case .cosine: (1 - cos(Double.pi * progress)) / 2
            }
        }
    }

    public static let info = PluginInfo(
        id: "progressive", version: "1.0.0", summary: "masking rate moves from a start to an end rate over training",
        options: [
            .number("start", default: 0.10, help: "rate at the start of training (progress 0), in [0, 1]"),
            .number("end", default: 0.25, help: "rate at the end of training (progress 1), in [0, 1]"),
            .choice("schedule", Schedule.allCases.map(\.rawValue), default: "linear",
                    help: "linear: f(p) = p; cosine: f(p) = (1 - cos(pi p)) / 2"),
        ],
        threadSafe: true)

    public let start: Double
    public let end: Double
    public let schedule: Schedule

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        start = try configuration.rate("start")
        end = try configuration.rate("end")
        guard let schedule = Schedule(rawValue: try configuration.string("schedule") ?? "") else {
            throw PluginError(.config, "progressive: schedule must be linear or cosine")
        }
        self.schedule = schedule
    }

    /// The rate at `progress` (limited to [0, 1]).
    public func rate(at progress: Double) -> Double {
        let p = min(max(progress, 0), 1)
        return start + (end - start) * schedule.fraction(p)
    }

    public func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        try request.validate(for: Self.info.id)
        let rate = rate(at: request.clampedProgress)
        return MaskingChoice(mask: independentMask(request, rate: rate), rate: rate)
    }
}
