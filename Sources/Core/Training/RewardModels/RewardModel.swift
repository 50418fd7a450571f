import Engine
import Foundation
import Models
import Tokenizers

/// A Bradley–Terry reward model (ALGORITHMS.md §7): a transformer backbone and a scalar head
/// ("score") read at the last real token of prompt + response. The prompt is laid out with the
/// template the backbone answers in, so the model scores the text a policy actually produced.
public final class RewardModel {
    public let backbone: Transformer
    public let head: ScalarHead
    public let tokenizer: any Tokenizer
    public let template: ChatTemplate
    /// Longer inputs keep their last tokens: the end of the response is what the head reads.
    public let maxLength: Int
    /// The tokenizer's files (name → bytes), written with the model so its folder stands alone.
    public let tokenizerFiles: [String: Data]
    /// Scores of the training responses, for centring; Bradley–Terry fixes scores only up to a shift.
    public var statistics: ScoreStatistics?

    public init(backbone: Transformer, head: ScalarHead, tokenizer: any Tokenizer, tokenizerFiles: [String: Data],
                template: ChatTemplate, maxLength: Int, statistics: ScoreStatistics? = nil) throws {
        guard head.weight.size(1) == backbone.configuration.hiddenSize else {
            throw ModelError("the score head reads \(head.weight.size(1)) features, the backbone gives \(backbone.configuration.hiddenSize)")
        }
        guard tokenizer.vocabularySize <= backbone.configuration.vocabularySize else {
            throw ModelError("the tokenizer has \(tokenizer.vocabularySize) tokens, the backbone's embedding only \(backbone.configuration.vocabularySize)")
        }
        guard maxLength >= 2, maxLength <= backbone.configuration.maxPositions else {
            throw ModelError("max length \(maxLength) must be in 2...\(backbone.configuration.maxPositions) (the backbone's positions)")
        }
        self.backbone = backbone
        self.head = head
        self.tokenizer = tokenizer
        self.tokenizerFiles = tokenizerFiles
        self.template = template
        self.maxLength = maxLength
        self.statistics = statistics
    }

    /// A backbone with a fresh head (small random weights from `seed`).
    public convenience init(backbone: Transformer, tokenizer: any Tokenizer, tokenizerFiles: [String: Data],
                            template: ChatTemplate, maxLength: Int? = nil, seed: UInt64) throws {
        let head = try ScalarHead(hidden: backbone.configuration.hiddenSize, generator: Generator(seed: seed),
                                  dtype: backbone.dtype, device: backbone.device)
        try self.init(backbone: backbone, head: head, tokenizer: tokenizer, tokenizerFiles: tokenizerFiles, template: template,
                      maxLength: maxLength ?? min(1024, backbone.configuration.maxPositions))
    }

    public var parameters: [Tensor] { backbone.parameters().map(\.1) + head.parameters }

    /// Where the template hands over to the assistant ("Answer:", "<|im_start|>assistant\n").
    private var generationPrompt: String { ChatTemplate(format: template.format).render([]) }

    /// The text scored for a pair: the prompt rendered with the template, then the response. A
    /// prompt that already ends where the template hands over (a training run passes its rewards
    /// the formatted prompt) is used as it is, so both kinds of caller give the same text.
    public func text(prompt: String, response: String) -> String {
        let opening = generationPrompt
        let rendered = !opening.isEmpty && prompt.hasSuffix(opening) ? prompt : template.render(question: prompt)
        return rendered + response
    }

    /// Token ids of `text(prompt:response:)`, cut to the last `maxLength`.
    public func tokens(prompt: String, response: String) throws -> [Int] {
        let ids = try tokenizer.encode(text(prompt: prompt, response: response))
        guard !ids.isEmpty else { throw ModelError("prompt and response give no tokens to score") }
        return ids.count > maxLength ? Array(ids.suffix(maxLength)) : ids
    }

    /// Scores [B] of token rows (with gradient when enabled): rows are right-padded, so causal
    /// attention keeps every real token exact and the head reads each row's last real token.
    public func scores(_ rows: [[Int]]) throws -> Tensor {
        guard !rows.isEmpty, rows.allSatisfy({ !$0.isEmpty }) else { throw ModelError("scoring needs at least one non-empty row") }
        let width = rows.map(\.count).max()!
        let pad = Int64(tokenizer.padTokenID ?? tokenizer.eosTokenIDs.min() ?? 0)
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count * width)
        for row in rows { ids += row.map(Int64.init) + Array(repeating: pad, count: width - row.count) }
        let device = backbone.device
        let hidden = try backbone.hiddenStates(Tensor(ids, shape: [rows.count, width], device: device))
        let last = try Tensor(rows.map { Int64($0.count - 1) }, device: device)
        return try head.atLastToken(hidden, lastIndex: last)
    }

    /// Raw scores of prompt/response pairs, without gradient, `batchSize` rows per forward pass.
    public func score(prompts: [String], responses: [String], batchSize: Int = 16) throws -> [Double] {
        guard prompts.count == responses.count else {
            throw ModelError("scoring needs one prompt per response (got \(prompts.count) and \(responses.count))")
        }
        let rows = try zip(prompts, responses).map { try tokens(prompt: $0, response: $1) }
        return try score(rows: rows, batchSize: batchSize)
    }

    /// Raw scores of token rows, without gradient, in batches of similar length.
    public func score(rows: [[Int]], batchSize: Int = 16) throws -> [Double] {
        // Rows sorted by length waste little on padding; results go back in the callers' order.
        let order = rows.indices.sorted { rows[$0].count < rows[$1].count }
        var result = [Double](repeating: 0, count: rows.count)
        try withNoGrad {
            for start in stride(from: 0, to: order.count, by: max(1, batchSize)) {
                let chunk = Array(order[start..<min(order.count, start + max(1, batchSize))])
                let values = try scores(chunk.map { rows[$0] }).to(.float32).toArray(Float.self)
                for (index, value) in zip(chunk, values) { result[index] = Double(value) }
            }
        }
        return result
    }
}

/// Mean and standard deviation of a reward model's scores over its training responses.
public struct ScoreStatistics: Sendable, Equatable {
    public var mean: Double
    public var std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }

    public init(of scores: [Double]) {
        let mean = scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
        let variance = scores.count < 2 ? 0 : scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(scores.count - 1)
        self.init(mean: mean, std: variance.squareRoot())
    }
}
