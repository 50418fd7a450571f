import RLRunSDK

/// A dataset whose items were loaded into memory: it answers the `Dataset` calls from its
/// `storedSplits`.
public protocol StoredDataset: Dataset {
    var storedSplits: StoredSplits { get }
}

extension StoredDataset {
    public var splits: [String] { storedSplits.names }

    public func count(split: String) throws -> Int { try storedSplits.count(split: split) }

    public func item(split: String, index: Int) throws -> DatasetItem { try storedSplits.item(split: split, index: index) }
}
