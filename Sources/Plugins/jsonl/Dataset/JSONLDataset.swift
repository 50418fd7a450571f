import DatasetFiles
import RLRunSDK

/// Any JSONL file as a dataset, by naming its fields: which one is the prompt, which the
/// reference answer, which travel to the rewards as metadata. Splits come from the files of a
/// folder, or a seeded held-out fraction of one file.
public final class JSONLDataset: PluginDefinition, StoredDataset {
    public static let info = PluginInfo(
        id: "jsonl", version: "1.0.0",
        summary: "any JSONL with a field mapping: prompt, reference and metadata fields; splits from files or a held-out fraction",
        options: FileDatasetOptions.declare([
            .string("prompt_field", default: "prompt", help: "field holding the prompt"),
            .string("reference_field", default: "reference", help: "field holding the reference answer (string or number); lines without it have none"),
            PluginOption("metadata_fields", .json, default: .array([]), help: "fields copied into each item's metadata, e.g. [\"solution\", \"source\"]"),
        ]),
        threadSafe: true)

    public let storedSplits: StoredSplits
    /// Per file, the 1-based numbers of the malformed lines that `skip_invalid` left out.
    public let skippedLines: [String: [Int]]

    public init(configuration: PluginConfiguration, host: PluginHost) throws {
        let (path, system, loader) = try FileDatasetOptions.read(configuration)
        let promptField = try configuration.string("prompt_field") ?? "prompt"
        let referenceField = try configuration.string("reference_field")
        let metadataFields = try Self.fieldNames(try configuration.json("metadata_fields"))
        var referencesFound = 0
        let loaded = try loader.load(path) { record in
            var reference: String?
            if let referenceField, let value = record[referenceField] {
                guard let text = JSONLines.plainText(value) else {
                    throw MalformedRecord("field '\(referenceField)' is \(value.typeName), expected a string or number")
                }
                reference = text
                referencesFound += 1
            }
            let metadata = metadataFields.compactMap { name in record[name].map { (name, $0) } }
            return DatasetItem(prompt: try JSONLines.text(record, promptField), system: system, reference: reference,
                               metadata: metadata.isEmpty ? nil : JSONValue.object(Dictionary(uniqueKeysWithValues: metadata)).jsonText)
        }
        loaded.skipSummary.forEach { host.log(.warning, "jsonl: \($0)") }
        if let referenceField, referencesFound == 0 {
            host.log(.warning, "jsonl: no line of \(path) has the reference field '\(referenceField)'; items have no reference answer")
        }
        storedSplits = loaded.splits
        skippedLines = loaded.skippedLines
    }

    private static func fieldNames(_ value: JSONValue) throws -> [String] {
        guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
            throw PluginError(.config, "metadata_fields must be a JSON array of field names, e.g. [\"solution\"]; got \(value.jsonText)")
        }
        return names
    }
}
