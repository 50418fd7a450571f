import RLRunSDK

/// `dynamic`: the rate adapts to how well training goes. When the recent accuracy (or reward,
/// option `signal`) is above `target` by more than `tolerance`, the rate moves up by `step`
/// (harder inputs); below, it moves down; it always stays within [min_rate, max_rate]. An unknown
/// signal (nil) leaves it where it is.
///
/// The rate moves at most once per training step: on the first request whose `progress`
/// differs from the previous request's. Every request of one step (a mask per inner iteration,
/// old and reference passes, retries) therefore sees the same rate, so the same request still
/// gives the same mask. The current rate and the last progress are the plugin's state: they are
/// saved with a checkpoint and restored on resume.
public final class DynamicMasking: PluginDefinition, MaskingStrategy, StatefulPlugin {
    public enum Signal: String, CaseIterable, Sendable { case accuracy, reward }

    public static let info = PluginInfo(
        id: "dynamic", version: "1.0.0", summary: "masking rate moves up when recent accuracy (or reward) is above a target, down when below",
        options: [
            .number("initial_rate", default: 0.15, help: "rate before the first move, in [min_rate, max_rate]"),
            .number("min_rate", default: 0.05, help: "lowest rate, in [0, 1]"),
            .number("max_rate", default: 0.50, help: "highest rate, in [0, 1]"),
            .number("step", default: 0.01, help: "how far the rate moves per training step, > 0"),
            .number("target", default: 0.5, help: "the accuracy (or reward) the rate steers towards"),
            .number("tolerance", default: 0.0, help: "no move while |signal - target| <= tolerance, >= 0"),
            .choice("signal", Signal.allCases.map(\.rawValue), default: "accuracy",
                    help: "accuracy: recent task accuracy in [0, 1]; reward: recent mean reward"),
        ])

    public let minRate: Double
    public let maxRate: Double
    public let step: Double
    public let target: Double
    public let tolerance: Double
    public let signal: Signal
    /// The rate used now.
    public private(set) var rate: Double
    /// Progress of the last request, nil before the first.
    public private(set) var lastProgress: Double?

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        minRate = try configuration.rate("min_rate")
        maxRate = try configuration.rate("max_rate")
        rate = try configuration.rate("initial_rate")
        step = try configuration.double("step")
        target = try configuration.double("target")
        tolerance = try configuration.double("tolerance")
        guard let signal = Signal(rawValue: try configuration.string("signal") ?? "") else {
            throw PluginError(.config, "dynamic: signal must be accuracy or reward")
        }
        self.signal = signal
        guard minRate <= maxRate else {
            throw PluginError(.config, "dynamic: min_rate (\(minRate)) must not exceed max_rate (\(maxRate))")
        }
        guard (minRate...maxRate).contains(rate) else {
            throw PluginError(.config, "dynamic: initial_rate (\(rate)) must lie in [min_rate, max_rate] = [\(minRate), \(maxRate)]")
        }
        guard step > 0 else { throw PluginError(.config, "dynamic: step must be > 0; got \(step)") }
        guard tolerance >= 0 else { throw PluginError(.config, "dynamic: tolerance must be >= 0; got \(tolerance)") }
    }

    /// One move of the rate for a step whose recent signal is `value` (nil: unknown, no move).
    public func move(signal value: Double?) {
        guard let value, value.isFinite else { return }
        if value > target + tolerance {
            rate = min(rate + step, maxRate)
        } else if value < target - tolerance {
            rate = max(rate - step, minRate)
        }
    }

    public func choose(_ request: MaskingRequest) throws -> MaskingChoice {
        try request.validate(for: Self.info.id)
        if request.progress != lastProgress {
            move(signal: signal == .accuracy ? request.recentAccuracy : request.recentReward)
            lastProgress = request.progress
        }
        return MaskingChoice(mask: independentMask(request, rate: rate), rate: rate)
    }

    // MARK: Checkpoint state: {"last_progress": p or null, "rate": r}

    public func saveState() throws -> [UInt8] {
        let state: JSONValue = .object(["rate": .number(rate), "last_progress": lastProgress.map(JSONValue.number) ?? .null])
        return Array(state.jsonText.utf8)
    }

    public func loadState(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        let state = try JSONValue(parsing: text)
        guard let saved = state["rate"]?.doubleValue, saved.isFinite, let progress = state["last_progress"],
              progress == .null || progress.doubleValue != nil else {
            throw PluginError(.input, "dynamic: checkpoint state \(text.prefix(80).debugDescription) is not {\"rate\": number, \"last_progress\": number or null}; was it saved by the dynamic masking plugin?")
        }
        // The bounds may have changed between runs: the restored rate obeys the current ones.
        rate = min(max(saved, minRate), maxRate)
        lastProgress = progress.doubleValue
    }
}
