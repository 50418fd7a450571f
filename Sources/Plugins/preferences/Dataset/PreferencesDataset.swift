import DatasetFiles
import RLRunSDK

/// Preference pairs `{"prompt", "chosen", "rejected"}` from JSONL, for reward-model training
/// and pairwise evaluation. Each item's metadata holds `chosen` and `rejected`; its reference
/// is the chosen response, so reference-based rewards (`quality`) score against it.
public final class PreferencesDataset: PluginDefinition, StoredDataset {
    public static let info = PluginInfo(
        id: "preferences", version: "1.0.0",
        summary: "preference pairs (prompt, chosen, rejected) from JSONL; metadata.chosen/rejected, reference = chosen",
        options: FileDatasetOptions.declare([
            .string("prompt_field", default: "prompt", help: "field holding the prompt"),
            .string("chosen_field", default: "chosen", help: "field holding the preferred response"),
            .string("rejected_field", default: "rejected", help: "field holding the other response"),
        ]),
        threadSafe: true)

    public let storedSplits: StoredSplits
    /// Per file, the 1-based numbers of the malformed lines that `skip_invalid` left out.
    public let skippedLines: [String: [Int]]

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        let (path, system, loader) = try FileDatasetOptions.read(configuration)
        let fields = try ["prompt_field", "chosen_field", "rejected_field"].map { try configuration.string($0) ?? "" }
        let loaded = try loader.load(path) { record in
            let prompt = try JSONLines.text(record, fields[0])
            let chosen = try JSONLines.text(record, fields[1])
            let rejected = try JSONLines.text(record, fields[2])
            guard chosen != rejected else { throw MalformedRecord("chosen and rejected are the same text, so the pair prefers nothing") }
            return DatasetItem(prompt: prompt, system: system, reference: chosen,
                               metadata: JSONValue.object(["chosen": .string(chosen), "rejected": .string(rejected)]).jsonText)
        }
        loaded.skipSummary.forEach { host.log(.warning, "preferences: \($0)") }
        storedSplits = loaded.splits
        skippedLines = loaded.skippedLines
    }
}
