import RLRunSDK

/// Loads a file-backed dataset: the splits `SplitFiles` finds at a path, each line made an
/// item by `parse`, and optionally a held-out `test` split carved out of `train`.
public struct SplitLoader {
    /// Fraction of `train` moved to a `test` split; 0 keeps the splits as the files give them.
    public let heldOut: Double
    public let seed: UInt64
    public let skipInvalid: Bool

    public init(heldOut: Double = 0, seed: UInt64 = 0, skipInvalid: Bool = false) {
        self.heldOut = heldOut
        self.seed = seed
        self.skipInvalid = skipInvalid
    }

    public struct Result {
        public var splits = StoredSplits()
        /// Per file, the 1-based numbers of the malformed lines that were skipped.
        public var skippedLines: [String: [Int]] = [:]
    }

    public func load(_ path: String, parse: ([String: JSONValue]) throws -> DatasetItem) throws -> Result {
        guard heldOut >= 0, heldOut < 1 else {
            throw PluginError(.config, "held_out must be in [0, 1), the fraction of train items moved to a test split; got \(heldOut)")
        }
        let files = try SplitFiles.resolve(path)
        var result = Result()
        if heldOut > 0 {
            guard files.contains(where: { $0.split == "train" }), !files.contains(where: { $0.split == "test" }) else {
                throw PluginError(.config, "held_out carves a test split out of train: \(path) must give a train split and no test split (it gives \(files.map(\.split).joined(separator: ", ")))")
            }
        }
        for (split, file) in files {
            let lines = try JSONLines.read(file, skipInvalid: skipInvalid, parse: parse)
            if !lines.skippedLines.isEmpty { result.skippedLines[file] = lines.skippedLines }
            if split == "train", heldOut > 0 {
                let parts = HeldOut.split(lines.records, fraction: heldOut, seed: seed)
                try result.splits.add("train", parts.kept)
                try result.splits.add("test", parts.heldOut)
            } else {
                try result.splits.add(split, lines.records)
            }
        }
        return result
    }
}

extension SplitLoader.Result {
    /// One warning line per file with skipped lines, for the host's log.
    public var skipSummary: [String] {
        skippedLines.keys.sorted().map { file in
            let lines = skippedLines[file]!
            return "skipped \(lines.count) malformed line\(lines.count == 1 ? "" : "s") of \(file) (lines \(lines.prefix(10).map(String.init).joined(separator: ", "))\(lines.count > 10 ? ", ..." : ""))"
        }
    }
}
