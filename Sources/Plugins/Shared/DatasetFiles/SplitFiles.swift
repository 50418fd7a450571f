import Foundation
import RLRunSDK

/// Where the splits of a file-backed dataset come from: a folder gives one split per
/// `NAME.jsonl` file in it (GSM8K's `train.jsonl` and `test.jsonl`), a single file is the
/// `train` split.
public enum SplitFiles {
    /// Split name → file: train, test, then the others by name.
    public static func resolve(_ path: String) throws -> [(split: String, file: String)] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw PluginError(.config, "no file or folder at \(path)")
        }
        guard isFolder.boolValue else { return [("train", path)] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let splits = names.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(".jsonl".count)) }
        guard !splits.isEmpty else {
            throw PluginError(.config, "folder \(path) holds no .jsonl files; each NAME.jsonl there becomes the split NAME")
        }
        let rank = ["train": 0, "test": 1]
        return splits.sorted { (rank[$0] ?? 2, $0) < (rank[$1] ?? 2, $1) }
            .map { ($0, (path as NSString).appendingPathComponent($0 + ".jsonl")) }
    }
}
