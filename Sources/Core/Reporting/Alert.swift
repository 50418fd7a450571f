import Foundation

/// What went wrong, as a string so alerts.jsonl can carry kinds this module does not define.
public struct AlertKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static let entropyCollapse = AlertKind(rawValue: "entropy_collapse")
    public static let identicalCompletions = AlertKind(rawValue: "identical_completions")
    public static let rewardVarianceZero = AlertKind(rawValue: "reward_variance_zero")
    public static let klBound = AlertKind(rawValue: "kl_bound")
    public static let nonFinite = AlertKind(rawValue: "non_finite")
    public static let evalRegression = AlertKind(rawValue: "eval_regression")
}

/// A training pathology noticed at a step, as alerts.jsonl records it: {step, kind, message}.
public struct Alert: Codable, Sendable, Equatable, CustomStringConvertible {
    public var kind: AlertKind
    public var step: Int
    public var message: String

    public init(kind: AlertKind, step: Int, message: String) {
        self.kind = kind
        self.step = step
        self.message = message
    }

    /// For the run log: `[ALERT] step 12 entropy_collapse: ...`.
    public var description: String { "[ALERT] step \(step) \(kind): \(message)" }
}

/// Appends alerts to a run's alerts.jsonl.
public typealias AlertsWriter = JSONLinesWriter<Alert>

/// Reads a run's alerts.jsonl.
public enum AlertsFile {
    public static func read(_ url: URL) throws -> [Alert] { try JSONLines.decode(Alert.self, from: url) }
}
