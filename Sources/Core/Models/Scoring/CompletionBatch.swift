import Engine

/// Prompts and their completions laid out for one training forward pass: prompts left-padded
/// to a common width W and completions right-padded to T, so that every completion starts at
/// column W and its token log-probs come from one slice of the logits.
public struct CompletionBatch {
    /// [B, W + T] token ids.
    public let tokens: Tensor
    /// [B, W + T] position ids (counting real tokens from 0).
    public let positions: Tensor
    /// [B, 1, W + T, W + T] boolean: causal, prompt padding hidden.
    public let attentionMask: Tensor
    /// [B, T] the completion ids (targets of the log-probs), padding where a row is shorter.
    public let targets: Tensor
    /// [B, T] float32: 1 on completion tokens, 0 on padding.
    public let mask: Tensor
    public let promptWidth: Int
    public let completionWidth: Int
    public var rows: Int { targets.size(0) }

    public init(prompts: [[Int]], completions: [[Int]], padTokenID: Int, device: Device = .cpu) throws {
        guard prompts.count == completions.count, !prompts.isEmpty else {
            throw ModelError("CompletionBatch needs one completion per prompt and at least one row (got \(prompts.count) and \(completions.count))")
        }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        let width = prompts.map(\.count).max()!
        let length = max(1, completions.map(\.count).max()!)
        var ids: [Int64] = [], positions: [Int64] = [], targets: [Int64] = [], mask: [Float] = []
        for (prompt, completion) in zip(prompts, completions) {
            let pad = width - prompt.count
            let tail = length - completion.count
            ids += Array(repeating: Int64(padTokenID), count: pad) + (prompt + completion).map(Int64.init)
                + Array(repeating: Int64(padTokenID), count: tail)
            positions += Array(repeating: 0, count: pad) + (0..<(prompt.count + length)).map(Int64.init)
            targets += completion.map(Int64.init) + Array(repeating: Int64(padTokenID), count: tail)
            mask += Array(repeating: 1, count: completion.count) + Array(repeating: 0, count: tail)
        }
        let b = prompts.count
        tokens = try Tensor(ids, shape: [b, width + length], device: device)
        self.positions = try Tensor(positions, shape: [b, width + length], device: device)
        attentionMask = try Transformer.paddedCausalMask(padding: prompts.map { width - $0.count }, length: width + length, device: device)
        self.targets = try Tensor(targets, shape: [b, length], device: device)
        self.mask = try Tensor(mask, shape: [b, length], device: device)
        promptWidth = width
        completionWidth = length
    }

    /// The rows in `range` (micro-batches), keeping the layout.
    public func rows(_ range: Range<Int>) throws -> CompletionBatch {
        try CompletionBatch(slicing: self, range)
    }

    private init(slicing batch: CompletionBatch, _ range: Range<Int>) throws {
        func cut(_ t: Tensor) throws -> Tensor { try t.slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
        tokens = try cut(batch.tokens)
        positions = try cut(batch.positions)
        attentionMask = try cut(batch.attentionMask)
        targets = try cut(batch.targets)
        mask = try cut(batch.mask)
        promptWidth = batch.promptWidth
        completionWidth = batch.completionWidth
    }
}

/// What one training forward pass over a `CompletionBatch` gives, all [B, T] except `hidden`.
public struct CompletionPass {
    public let logProbs: Tensor
    public let entropy: Tensor?
    /// [B, T, hidden]: the states that predict each completion token (a critic reads them).
    public let hidden: Tensor?
}

extension Transformer {
    /// log p(completion token | everything before it) for every completion position [B, T],
    /// and optionally the entropy of each of those next-token distributions [B, T]; logits are
    /// divided by `temperature` first (the policy the completions were sampled from). Padding
    /// positions hold garbage: multiply by `batch.mask`.
    public func completionLogProbs(_ batch: CompletionBatch, temperature: Double = 1, entropy: Bool = false) throws
        -> (logProbs: Tensor, entropy: Tensor?) {
        let pass = try completionPass(batch, temperature: temperature, entropy: entropy)
        return (pass.logProbs, pass.entropy)
    }

    /// One forward pass giving log-probs, and optionally entropies and the predicting hidden
    /// states (so a critic needs no second pass).
    public func completionPass(_ batch: CompletionBatch, temperature: Double = 1, entropy: Bool = false,
                               hidden keepHidden: Bool = false) throws -> CompletionPass {
        let hidden = try hiddenStates(batch.tokens, positions: batch.positions, mask: batch.attentionMask)
        let predicting = try hidden.slice(dim: 1, start: batch.promptWidth - 1, end: batch.promptWidth - 1 + batch.completionWidth)
        var logits = try logits(predicting)
        if temperature != 1 { logits = try logits / temperature }
        let logProbs = try NN.tokenLogProbs(logits: logits, targets: batch.targets)
        return CompletionPass(logProbs: logProbs, entropy: entropy ? try NN.tokenEntropy(logits: logits) : nil,
                              hidden: keepHidden ? predicting : nil)
    }
}
