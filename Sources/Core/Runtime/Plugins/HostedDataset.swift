import RLRunABI
import RLRunSDK

/// A dataset plugin loaded through the C ABI, seen as a `Dataset`.
public final class HostedDataset: Dataset, @unchecked Sendable {
    public let instance: PluginInstance
    public let splits: [String]

    init(_ instance: PluginInstance) throws {
        self.instance = instance
        var text: UnsafePointer<CChar>?
        let calls = instance.calls.load(as: rlrun_dataset_calls.self)
        try instance.call("splits") { calls.splits!(instance.handle, &text, $0) }
        guard let text, let names = (try? JSONValue(parsing: String(cString: text)))?.arrayValue?.compactMap(\.stringValue),
              !names.isEmpty else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "splits", message: "must return a non-empty JSON array of split names")
        }
        splits = names
    }

    private var calls: rlrun_dataset_calls { instance.calls.load(as: rlrun_dataset_calls.self) }

    private func checkSplit(_ split: String, call: String) throws {
        guard splits.contains(split) else {
            throw PluginCallError(plugin: instance.descriptor.label, call: call,
                                  message: "no split '\(split)'; it has \(splits.joined(separator: ", "))")
        }
    }

    public func count(split: String) throws -> Int {
        try checkSplit(split, call: "size")
        var count: UInt64 = 0
        try split.withCString { name in try instance.call("size") { calls.size!(instance.handle, name, &count, $0) } }
        return Int(clamping: count)
    }

    public func item(split: String, index: Int) throws -> DatasetItem {
        try checkSplit(split, call: "item")
        guard index >= 0 else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "item", message: "index \(index) of '\(split)' is negative")
        }
        var item = rlrun_dataset_item()
        try split.withCString { name in
            try instance.call("item") { calls.item!(instance.handle, name, UInt64(index), &item, $0) }
        }
        guard let prompt = item.prompt else {
            throw PluginCallError(plugin: instance.descriptor.label, call: "item", message: "item \(index) of '\(split)' has no prompt")
        }
        return DatasetItem(prompt: String(cString: prompt), system: item.system.map { String(cString: $0) },
                           reference: item.reference.map { String(cString: $0) },
                           metadata: item.metadata.map { String(cString: $0) })
    }
}
