import RLRunSDK

/// Dataset items held in memory by split, with the lookups and messages every file-backed
/// dataset needs.
public struct StoredSplits: Sendable {
    public private(set) var names: [String] = []
    private var items: [String: [DatasetItem]] = [:]

    public init() {}

    public mutating func add(_ split: String, _ splitItems: [DatasetItem]) throws {
        guard items[split] == nil else { throw PluginError(.config, "split '\(split)' is given twice") }
        names.append(split)
        items[split] = splitItems
    }

    public func count(split: String) throws -> Int { try self.split(split).count }

    public func item(split: String, index: Int) throws -> DatasetItem {
        let splitItems = try self.split(split)
        guard splitItems.indices.contains(index) else {
            throw PluginError(.input, "index \(index) is outside split '\(split)' (\(splitItems.count) items)")
        }
        return splitItems[index]
    }

    private func split(_ name: String) throws -> [DatasetItem] {
        guard let found = items[name] else {
            throw PluginError(.input, "no split '\(name)'; this dataset has: \(names.joined(separator: ", "))")
        }
        return found
    }
}
