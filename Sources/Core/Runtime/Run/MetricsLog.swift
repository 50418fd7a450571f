import Foundation
import RLRunSDK

/// metrics.jsonl: one JSON object per step, appended and flushed as it happens, so a crash
/// loses at most the step in progress.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle

    public init(url: URL, resuming: Bool = false) throws {
        if !resuming || !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ConfigurationError(source: url.path, message: "cannot create the metrics file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else {
            throw ConfigurationError(source: url.path, message: "cannot open for writing")
        }
        handle.seekToEndOfFile()
        self.url = url
        self.handle = handle
    }

    deinit { try? handle.close() }

    public func append(_ metrics: [String: Double]) throws {
        let object = JSONValue.object(metrics.mapValues { $0.isFinite ? .number($0) : .null })
        handle.write(Data((object.jsonText + "\n").utf8))
        try handle.synchronize()
    }
}

/// The human log lines, in the seeds' style:
/// `[RL] Step 12: avg_reward=0.73, entropy=2.1, kl_div=0.02`.
public enum LogLines {
    public static func step(_ m: [String: Double], totalSteps: Int) -> String {
        var parts = ["avg_reward=\(format(m["reward_mean"]))"]
        if let accuracy = m["accuracy"] { parts.append("accuracy=\(format(accuracy))") }
        if let entropy = m["entropy"] { parts.append("entropy=\(format(entropy))") }
        if let kl = m["kl"] { parts.append("kl_div=\(format(kl))") }
        parts.append("loss=\(format(m["loss"]))")
        if let clip = m["clip_fraction_high"], let low = m["clip_fraction_low"] { parts.append("clip=\(format(low + clip))") }
        parts.append("len=\(format(m["completion_length_mean"], digits: 1))")
        parts.append("grad_norm=\(format(m["grad_norm"]))")
        parts.append("\(format(m["time_step"], digits: 1))s")
        return "[RL] Step \(Int(m["step"] ?? 0))/\(totalSteps): " + parts.joined(separator: ", ")
    }

    public static func components(_ m: [String: Double]) -> String? {
        let names = m.keys.filter { $0.hasPrefix("reward/") }.sorted()
        guard !names.isEmpty else { return nil }
        return "[REWARD] Components: " + names.map { "\($0.dropFirst(7))=\(format(m[$0]))" }.joined(separator: ", ")
    }

    /// The step's mean LIMEN tension, when a reward reports one.
    public static func tension(_ m: [String: Double]) -> Double? {
        m.keys.sorted().first(where: { $0.contains("tension") }).flatMap { m[$0] }
    }

    /// `[LIMEN] Tension 0.6 -> 0.4`: from the run's first step to this one.
    public static func tension(from first: Double, to now: Double) -> String { "[LIMEN] Tension \(format(first)) -> \(format(now))" }

    /// The short metrics line next to the progress bar.
    public static func live(_ m: [String: Double]) -> String {
        var parts = ["reward \(format(m["reward_mean"]))"]
        if let accuracy = m["accuracy"] { parts.append("acc \(format(accuracy, digits: 2))") }
        if let accuracy = m["eval_accuracy"] { parts.append("held-out \(format(accuracy, digits: 2))") }
        if let kl = m["kl"] { parts.append("kl \(format(kl))") }
        if let entropy = m["entropy"] { parts.append("entropy \(format(entropy, digits: 2))") }
        return parts.joined(separator: "  ")
    }

    public static func format(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.\(digits)f", value)
    }
}
