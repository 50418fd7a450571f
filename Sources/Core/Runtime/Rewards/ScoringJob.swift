import Foundation
import RLRunSDK
import Training

/// `rlrun score`: rewards for completions read from JSONL, written as JSONL. How a person
/// checks a reward plugin on examples before training with it.
public struct ScoringJob {
    public struct Line: Sendable {
        public let lineNumber: Int
        public let prompt: String
        public let completion: String
        public let reference: String?
        public let metadata: String?
        /// From the line's `completion_tokens`, else the number of whitespace-separated words.
        public let completionTokens: Int
        public let truncated: Bool
    }

    public let composer: RewardComposer
    public var batchSize = 64

    public init(composer: RewardComposer) { self.composer = composer }

    /// Reads `prompt`, `completion`, optional `reference` and `metadata` from each line.
    /// Errors name the file and line.
    public static func read(_ url: URL) throws -> [Line] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw PluginError(.input, "\(url.path): cannot read (\(error.localizedDescription))")
        }
        var lines: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let where_ = "\(url.path):\(index + 1)"
            let object: [String: JSONValue]
            do {
                guard let parsed = try JSONValue(parsing: trimmed).objectValue else {
                    throw PluginError(.input, "a JSON object is needed")
                }
                object = parsed
            } catch {
                throw PluginError(.input, "\(where_): \(error)")
            }
            guard let completion = object["completion"]?.stringValue else {
                throw PluginError(.input, "\(where_): needs a string field \"completion\" (and \"prompt\", optional \"reference\", \"metadata\")")
            }
            let reference: String?
            switch object["reference"] {
            case .string(let s)?: reference = s
            case .number(let n)?: reference = JSONValue.number(n).intValue.map(String.init) ?? String(n)
            case .null?, nil: reference = nil
            default: throw PluginError(.input, "\(where_): \"reference\" must be a string or a number")
            }
            let metadata: String?
            switch object["metadata"] {
            case .object(let fields)?: metadata = JSONValue.object(fields).jsonText
            case .null?, nil: metadata = nil
            default: throw PluginError(.input, "\(where_): \"metadata\" must be a JSON object")
            }
            let tokens = object["completion_tokens"]?.intValue ?? completion.split(whereSeparator: \.isWhitespace).count
            lines.append(Line(lineNumber: index + 1, prompt: object["prompt"]?.stringValue ?? "",
                              completion: completion, reference: reference, metadata: metadata, completionTokens: tokens,
                              truncated: object["truncated"]?.boolValue ?? false))
        }
        guard !lines.isEmpty else { throw PluginError(.input, "\(url.path): no lines to score") }
        return lines
    }

    /// Scores `lines` in batches; `emit` gets each line with its scores in input order.
    public func run(_ lines: [Line], emit: (Line, Double, [String: JSONValue]) throws -> Void) throws {
        for start in stride(from: 0, to: lines.count, by: batchSize) {
            let chunk = Array(lines[start..<min(start + batchSize, lines.count)])
            let batch = RewardBatch(prompts: chunk.map(\.prompt), completions: chunk.map(\.completion),
                                    references: chunk.map(\.reference), metadata: chunk.map(\.metadata),
                                    completionTokens: chunk.map(\.completionTokens), truncated: chunk.map(\.truncated))
            let scores: RewardScores
            do {
                scores = try composer.score(batch)
            } catch {
                throw PluginError(.failed, "scoring lines \(chunk.first!.lineNumber)-\(chunk.last!.lineNumber) (batch items 0-\(chunk.count - 1) in order): \(error)")
            }
            for (i, line) in chunk.enumerated() {
                let components = scores.components.mapValues { component -> JSONValue in
                    switch component {
                    case .numbers(let values): .number(values[i])
                    case .labels(let values): .string(values[i])
                    }
                }
                try emit(line, scores.rewards[i], components)
            }
        }
    }
}
