import Foundation
import RLRunSDK

/// A `--data` argument: a JSONL file or folder on disk, read by the `jsonl` dataset plugin, or
/// the name of a dataset plugin (`arithmetic`, `gsm8k`, ...) with its `--option`s.
public enum DataArgument {
    public static func open(_ text: String, promptField: String = "prompt", options: [String: [String: JSONValue]] = [:],
                            loader: PluginLoader) throws -> HostedDataset {
        if FileManager.default.fileExists(atPath: text) {
            var given = options["jsonl"] ?? [:]
            given["path"] = .string(text)
            given["prompt_field"] = given["prompt_field"] ?? .string(promptField)
            return try loader.dataset("jsonl", options: given)
        }
        if text.contains("/") || text.hasSuffix(".jsonl") {
            throw ConfigurationError(source: "--data", message: "no file or folder at \(text)")
        }
        let id = try loader.descriptor(named: text, kind: .dataset).id
        return try loader.dataset(text, options: options[id] ?? [:])
    }
}
