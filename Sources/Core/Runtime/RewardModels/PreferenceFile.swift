import Foundation
import RLRunSDK
import Training

/// Preference pairs from a JSONL file, read by the `preferences` dataset plugin (the one parser
/// of pairs: field checks, line numbers in errors). Two optional fields the plugin does not carry
/// are read here from the same lines: `tie` (written by `rlrun preferences collect`; a tie says
/// neither response is better, which Bradley–Terry cannot learn from, so such lines are left
/// out) and a per-pair margin field.
public enum PreferenceFile {
    public struct Contents: Sendable {
        public var pairs: [PreferencePair]
        /// Lines marked `"tie": true`, left out of `pairs`.
        public var ties: Int
    }

    public static func load(_ path: String, marginField: String? = nil, loader: PluginLoader = PluginLoader()) throws -> Contents {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw ConfigurationError(source: path, message: "no such file; --data takes a JSONL file of {\"prompt\", \"chosen\", \"rejected\"} lines")
        }
        let dataset: HostedDataset
        do {
            dataset = try loader.dataset("preferences", options: ["path": .string(path)])
        } catch let error as PluginLoadError {
            // The plugin suggests its skip_invalid option, which training does not offer (the
            // extra fields are matched to the pairs line by line): keep only the fix that applies.
            guard let hint = error.problem.range(of: ". Fix the line, or set the option skip_invalid") else { throw error }
            throw ConfigurationError(source: "--data", message: error.problem[..<hint.lowerBound] + ". Fix or remove the line")
        }
        let extras = try extraFields(path, marginField: marginField)
        let count = try dataset.count(split: "train")
        guard extras.count == count else {
            throw ConfigurationError(source: path, message: "the preferences plugin read \(count) pairs but the file has \(extras.count) non-blank lines")
        }
        var contents = Contents(pairs: [], ties: 0)
        for index in 0..<count {
            guard !extras[index].tie else {
                contents.ties += 1
                continue
            }
            let item = try dataset.item(split: "train", index: index)
            let metadata = try item.metadata.map { try JSONValue(parsing: $0) }
            guard let chosen = metadata?["chosen"]?.stringValue, let rejected = metadata?["rejected"]?.stringValue else {
                throw ConfigurationError(source: path, message: "pair \(index + 1): the preferences plugin gave no chosen/rejected metadata")
            }
            contents.pairs.append(PreferencePair(prompt: item.prompt, chosen: chosen, rejected: rejected,
                                                 margin: extras[index].margin ?? 0))
        }
        return contents
    }

    /// `tie` and the margin of every non-blank line, in the order the dataset plugin reads them.
    private static func extraFields(_ path: String, marginField: String?) throws -> [(tie: Bool, margin: Double?)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var result: [(tie: Bool, margin: Double?)] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains(where: { !$0.isWhitespace }) {
            let place = "\(path) line \(offset + 1)"
            guard let record = try? JSONValue(parsing: String(line)).objectValue else {
                throw ConfigurationError(source: place, message: "expected a JSON object")
            }
            let tieValue = record["tie"] ?? .bool(false)
            guard let tie = tieValue == .null ? false : tieValue.boolValue else {
                throw ConfigurationError(source: place, message: "field 'tie' must be true or false, got \(tieValue.jsonText)")
            }
            var margin: Double?
            if let marginField, !tie {
                guard let value = record[marginField] else {
                    throw ConfigurationError(source: place, message: "no margin field '\(marginField)'; give it on every pair, or leave out --margin-field")
                }
                guard let number = value.doubleValue else {
                    throw ConfigurationError(source: place, message: "margin field '\(marginField)' must be a number, got \(value.jsonText)")
                }
                margin = number
            }
            result.append((tie, margin))
        }
        return result
    }
}
