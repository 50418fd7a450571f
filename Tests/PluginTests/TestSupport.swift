import Foundation
import RLRunSDK

/// A plugin instance made the way the host makes one: options checked against the plugin's
/// declaration, defaults filled in.
func makePlugin<P: PluginDefinition>(_ type: P.Type, _ options: [String: JSONValue] = [:],
                                     log: @escaping @Sendable (PluginHost.LogLevel, String) -> Void = { _, _ in }) throws -> P {
    try P(configuration: PluginConfiguration(pluginID: P.info.id, options: P.info.options, given: options),
          host: PluginHost(log: log))
}

/// Scores completions that share one reference (or none).
func score(_ reward: RewardFunction, _ completions: [String], reference: String? = nil,
           metadata: String? = nil) throws -> RewardScores {
    try reward.score(RewardBatch(prompts: completions.map { _ in "" }, completions: completions,
                                 references: completions.map { _ in reference },
                                 metadata: completions.map { _ in metadata }))
}

extension RewardScores {
    func numbers(_ name: String) -> [Double] {
        if case .numbers(let values)? = components[name] { return values }
        return []
    }

    func labels(_ name: String) -> [String] {
        if case .labels(let values)? = components[name] { return values }
        return []
    }
}

/// A fresh folder under the system's temporary directory, for files a test writes itself.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("rlrun-plugin-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `lines` joined by newlines to `name` in the folder and returns the file's path.
    @discardableResult
    func write(_ name: String, _ lines: [String]) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The real GSM8K files, `../shared/data/gsm8k` next to the project root (found from this
/// source file, through symbolic links) or `$RLRUN_GSM8K_DIR`; nil where neither exists.
let gsm8kFolder: String? = {
    var candidates: [String] = []
    if let variable = ProcessInfo.processInfo.environment["RLRUN_GSM8K_DIR"] { candidates.append(variable) }
    var folder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    while folder.path != "/" {
        candidates.append(folder.appendingPathComponent("../shared/data/gsm8k").standardized.path)
        folder.deleteLastPathComponent()
    }
    return candidates.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("train.jsonl")) }
}()

/// One JSONL line with these fields.
func jsonLine(_ fields: [String: JSONValue]) -> String { JSONValue.object(fields).jsonText }
