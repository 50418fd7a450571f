import Engine

/// Prompts and their completions laid out for one training forward pass: each row is its
/// prompt followed by its completion, right-padded, so plain causal attention is exact (padding
/// only ever follows real tokens) and the fused causal kernel applies. The states that predict
/// each completion token are gathered by index, so logits are computed for completions only.
public struct CompletionBatch {
    /// [B, L] token ids, L = longest prompt + completion.
    public let tokens: Tensor
    /// [B, T, 1] int64: the position whose state predicts completion token t (the token before
    /// it); padding entries repeat a valid position.
    public let predictingIndex: Tensor
    /// [B, T] the completion ids (targets of the log-probs), padding where a row is shorter.
    public let targets: Tensor
    /// [B, T] float32: 1 on completion tokens, 0 on padding.
    public let mask: Tensor
    public let completionWidth: Int
    public var rows: Int { targets.size(0) }

    public init(prompts: [[Int]], completions: [[Int]], padTokenID: Int, device: Device = .cpu) throws {
        guard prompts.count == completions.count, !prompts.isEmpty else {
            throw ModelError("CompletionBatch needs one completion per prompt and at least one row (got \(prompts.count) and \(completions.count))")
        }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        let width = zip(prompts, completions).map { $0.count + $1.count }.max()!
        let length = max(1, completions.map(\.count).max()!)
        var ids: [Int64] = [], index: [Int64] = [], targets: [Int64] = [], mask: [Float] = []
        for (prompt, completion) in zip(prompts, completions) {
            let row = prompt + completion
            ids += row.map(Int64.init) + Array(repeating: Int64(padTokenID), count: width - row.count)
            for t in 0..<length {
                index.append(Int64(prompt.count - 1 + min(t, max(0, completion.count - 1))))
                targets.append(t < completion.count ? Int64(completion[t]) : Int64(padTokenID))
                mask.append(t < completion.count ? 1 : 0)
            }
        }
        let b = prompts.count
        tokens = try Tensor(ids, shape: [b, width], device: device)
        predictingIndex = try Tensor(index, shape: [b, length, 1], device: device)
        self.targets = try Tensor(targets, shape: [b, length], device: device)
        self.mask = try Tensor(mask, shape: [b, length], device: device)
        completionWidth = length
    }

    /// The rows in `range` (micro-batches), keeping the layout.
    public func rows(_ range: Range<Int>) throws -> CompletionBatch {
        try CompletionBatch(slicing: self, range)
    }

    private init(slicing batch: CompletionBatch, _ range: Range<Int>) throws {
        func cut(_ t: Tensor) throws -> Tensor { try t.slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
        tokens = try cut(batch.tokens)
        predictingIndex = try cut(batch.predictingIndex)
        targets = try cut(batch.targets)
        mask = try cut(batch.mask)
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
    /// states (so a critic needs no second pass). `entropyGradient: false` computes the
    /// entropies for logging only, outside the autograd graph (no extra memory for backward).
    public func completionPass(_ batch: CompletionBatch, temperature: Double = 1, entropy: Bool = false,
                               entropyGradient: Bool = true, hidden keepHidden: Bool = false) throws -> CompletionPass {
        let hidden = try hiddenStates(batch.tokens)
        let index = try batch.predictingIndex.expand([batch.rows, batch.completionWidth, hidden.size(2)])
        let predicting = try hidden.gather(dim: 1, index: index)
        var logits = try logits(predicting)
        if temperature != 1 { logits = try logits / temperature }
        let logProbs = try NN.tokenLogProbs(logits: logits, targets: batch.targets)
        return CompletionPass(logProbs: logProbs, entropy: entropy ? try Self.entropy(logits, gradient: entropyGradient) : nil,
                              hidden: keepHidden ? predicting : nil)
    }

    static func entropy(_ logits: Tensor, gradient: Bool) throws -> Tensor {
        gradient ? try NN.tokenEntropy(logits: logits) : try withNoGrad { try NN.tokenEntropy(logits: logits.detached()) }
    }
}
