import Foundation
import RLRunSDK

/// `--dataset NAME` and `--data FILE` of `rlrun eval` and `rlrun sft`: which dataset plugin,
/// with which options. With neither, the built-in arithmetic problems with the options `rlrun`
/// trains on (so `eval --model builtin` measures the same held-out items as training does).
/// `--data` is the plugin's `path` option; without `--dataset`, a file whose lines have
/// "question" and "answer" is GSM8K (the gsm8k plugin), anything else generic JSONL.
public struct DatasetChoice: Sendable {
    public var name: String?
    public var data: String?
    /// Plugin options by plugin id (`--option ID.KEY=VALUE`), over the run defaults.
    public var options: [String: [String: JSONValue]]

    public init(name: String? = nil, data: String? = nil, options: [String: [String: JSONValue]] = [:]) {
        self.name = name
        self.data = data
        self.options = options
    }

    /// The opened dataset, what it was opened with, and a key naming it for the built-in
    /// policy's warm-start cache (the same key `rlrun` uses for the same dataset).
    public struct Opened {
        public let dataset: HostedDataset
        public let plugin: String
        public let options: [String: JSONValue]
        public let cacheKey: String

        public var label: String { dataset.instance.descriptor.label }

        /// The plugin's id with its options, e.g. "arithmetic (difficulty=easy)" or "gsm8k (path=data/test.jsonl)".
        public var description: String {
            let settings = options.keys.sorted().map { key in "\(key)=\(options[key]!.stringValue ?? options[key]!.jsonText)" }
            return dataset.instance.descriptor.id + (settings.isEmpty ? "" : " (\(settings.joined(separator: ", ")))")
        }

        /// `requested`, else `preferred` when the dataset has it, else its only split.
        public func split(_ requested: String?, preferring preferred: String) throws -> String {
            if let requested {
                guard dataset.splits.contains(requested) else {
                    throw ConfigurationError(source: "--split", message: "\(label) has no split '\(requested)'; it has \(dataset.splits.joined(separator: ", "))")
                }
                return requested
            }
            if dataset.splits.contains(preferred) { return preferred }
            if dataset.splits.count == 1 { return dataset.splits[0] }
            throw ConfigurationError(source: "--split", message: "\(label) has no split '\(preferred)'; choose one of \(dataset.splits.joined(separator: ", "))")
        }
    }

    /// `siblings`: other plugins of the run, which may share the dataset's id (see SharedPluginOptions).
    public func open(loader: PluginLoader, siblings: [PluginDescriptor] = [], log: (String) -> Void = { _ in }) throws -> Opened {
        var run = RunConfiguration()
        for (plugin, fields) in options { run.pluginOptions[plugin, default: [:]].merge(fields) { $1 } }
        run.dataset = try pluginName(log: log)
        let descriptor = try loader.descriptor(named: run.dataset, kind: .dataset)
        let id = descriptor.id
        run.pluginOptions[id] = SharedPluginOptions.options(run.pluginOptions[id] ?? [:], for: descriptor, siblings: siblings)
        if let data {
            run.pluginOptions[id, default: [:]]["path"] = .string(data)
            if id == "jsonl", run.pluginOptions[id]?["metadata_fields"] == nil, Self.firstRecord(data)?["solution"] != nil {
                // `rlrun sft` learns an item's metadata "solution"; carry it when the file has one.
                run.pluginOptions[id]?["metadata_fields"] = .array(["solution"])
            }
        }
        let given = run.pluginOptions[id] ?? [:]
        let dataset = try loader.dataset(run.dataset, options: given)
        return Opened(dataset: dataset, plugin: run.dataset, options: given, cacheKey: try RunBuilder.datasetKey(run, loader))
    }

    /// The plugin to open: the one named, else the one `--data` looks like, else arithmetic.
    func pluginName(log: (String) -> Void) throws -> String {
        if let name { return name }
        guard let data else { return RunConfiguration().dataset }
        guard FileManager.default.fileExists(atPath: data) else {
            throw ConfigurationError(source: "--data", message: "no file or folder at \(data)")
        }
        let record = Self.firstRecord(data)
        let gsm8k = record?["question"] != nil && record?["answer"] != nil
        log("[DATA] \(data): \(gsm8k ? "GSM8K lines (question, answer): the gsm8k dataset" : "JSONL: the jsonl dataset")"
            + " (name another with --dataset)")
        return gsm8k ? "gsm8k" : "jsonl"
    }

    /// The first JSON object of `path` (a file, or a folder's train.jsonl or test.jsonl); nil
    /// when there is none to look at. The plugin reports malformed lines when it reads them.
    static func firstRecord(_ path: String) -> [String: JSONValue]? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
        let url = URL(fileURLWithPath: path)
        let file = isFolder.boolValue
            ? ["train.jsonl", "test.jsonl"].map { url.appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
            : url
        guard let file, let handle = try? FileHandle(forReadingFrom: file) else { return nil }
        defer { try? handle.close() }
        // The first 64 KiB hold the first line of any reasonable dataset.
        let head = String(decoding: (try? handle.read(upToCount: 1 << 16)) ?? Data(), as: UTF8.self)
        let line = head.split(separator: "\n").first { $0.contains { !$0.isWhitespace } }
        return line.flatMap { try? JSONValue(parsing: String($0)).objectValue }
    }
}
