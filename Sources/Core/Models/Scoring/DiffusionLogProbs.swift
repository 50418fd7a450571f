import Engine

/// Prompts and completions laid out for d1's one-step log-prob estimate (ALGORITHMS.md §6):
/// x' = [prompt with the chosen positions masked, MASK × |completion|], scored in one forward
/// pass. Prompts are left-padded to W and completions right-padded to T as in
/// `CompletionBatch`; both paddings are hidden from attention, because a bidirectional model
/// would otherwise read them and each row would depend on its neighbours.
public struct DiffusionCompletionBatch {
    /// [B, W + T] x': masked prompts, then mask tokens over every completion position.
    public let tokens: Tensor
    /// [B, W + T] position ids (counting real tokens from 0).
    public let positions: Tensor
    /// [B, 1, 1, W + T] boolean: true at real tokens (the keys every query may attend to).
    public let attentionMask: Tensor
    /// [B, T] the completion ids (targets of the log-probs), padding where a row is shorter.
    public let targets: Tensor
    /// [B, T] float32 completion mask: 1 on completion tokens up to and including the first
    /// stop token, 0 after it and on padding.
    public let mask: Tensor
    public let maskTokenID: Int
    public let promptWidth: Int
    public let completionWidth: Int
    public var rows: Int { targets.size(0) }

    /// - promptMasks: per prompt, one flag per token, true where the prompt token is replaced by
    ///   the mask (chosen by the caller's masking strategy; d1 masks each with probability 0.15).
    /// - stopTokenIDs: d1 scores the whole decoded region but counts tokens only up to the first
    ///   EOS; pass the raw completions and the EOS ids to do the same.
    /// - countedRows: false for a row none of whose tokens count (mask 0), e.g. a truncated
    ///   completion under overlong filtering; nil: every row counts.
    public init(prompts: [[Int]], completions: [[Int]], promptMasks: [[Bool]], maskTokenID: Int, padTokenID: Int,
                stopTokenIDs: Set<Int> = [], countedRows: [Bool]? = nil, device: Device = .cpu) throws {
        guard prompts.count == completions.count, prompts.count == promptMasks.count, !prompts.isEmpty else {
            throw ModelError("DiffusionCompletionBatch needs one completion and one prompt mask per prompt and at least one row (got \(prompts.count), \(completions.count) and \(promptMasks.count))")
        }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        if let row = prompts.indices.first(where: { prompts[$0].count != promptMasks[$0].count }) {
            throw ModelError("prompt \(row) has \(prompts[row].count) tokens but \(promptMasks[row].count) mask flags")
        }
        if let countedRows, countedRows.count != prompts.count {
            throw ModelError("\(countedRows.count) counted-row flags for \(prompts.count) rows")
        }
        let width = prompts.map(\.count).max()!
        let length = max(1, completions.map(\.count).max()!)
        let mask64 = Int64(maskTokenID), pad64 = Int64(padTokenID)
        var ids: [Int64] = [], positions: [Int64] = [], real: [Bool] = [], targets: [Int64] = [], scored: [Float] = []
        for (row, ((prompt, completion), masked)) in zip(zip(prompts, completions), promptMasks).enumerated() {
            let (pad, tail) = (width - prompt.count, length - completion.count)
            ids += Array(repeating: pad64, count: pad) + zip(prompt, masked).map { $1 ? mask64 : Int64($0) }
                + Array(repeating: mask64, count: completion.count) + Array(repeating: pad64, count: tail)
            positions += Array(repeating: 0, count: pad) + (0..<(prompt.count + length)).map(Int64.init)
            real += Array(repeating: false, count: pad) + Array(repeating: true, count: prompt.count + completion.count)
                + Array(repeating: false, count: tail)
            targets += completion.map(Int64.init) + Array(repeating: pad64, count: tail)
            let counted = countedRows?[row] == false ? 0
                : completion.firstIndex(where: stopTokenIDs.contains).map { $0 + 1 } ?? completion.count
            scored += Array(repeating: 1, count: counted) + Array(repeating: 0, count: length - counted)
        }
        let b = prompts.count
        tokens = try Tensor(ids, shape: [b, width + length], device: device)
        self.positions = try Tensor(positions, shape: [b, width + length], device: device)
        attentionMask = try Tensor(real, shape: [b, 1, 1, width + length], device: device)
        self.targets = try Tensor(targets, shape: [b, length], device: device)
        mask = try Tensor(scored, shape: [b, length], device: device)
        self.maskTokenID = maskTokenID
        promptWidth = width
        completionWidth = length
    }

    /// The rows in `range` (micro-batches), keeping the layout.
    public func rows(_ range: Range<Int>) throws -> DiffusionCompletionBatch {
        try DiffusionCompletionBatch(slicing: self, range)
    }

    /// The rows at `indices`, in that order (an epoch's new order of mini-batches), keeping the layout.
    public func rows(_ indices: [Int]) throws -> DiffusionCompletionBatch {
        guard indices.allSatisfy((0..<rows).contains) else {
            throw ModelError("row indices \(indices) lie outside the batch's \(rows) rows")
        }
        let index = try Tensor(indices.map(Int64.init), device: tokens.device)
        return try DiffusionCompletionBatch(taking: self) { try $0.indexSelect(dim: 0, index: index) }
    }

    private init(slicing batch: DiffusionCompletionBatch, _ range: Range<Int>) throws {
        try self.init(taking: batch) { try $0.slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
    }

    /// `batch` with `cut` applied to the rows of every per-row tensor.
    private init(taking batch: DiffusionCompletionBatch, _ cut: (Tensor) throws -> Tensor) throws {
        tokens = try cut(batch.tokens)
        positions = try cut(batch.positions)
        attentionMask = try cut(batch.attentionMask)
        targets = try cut(batch.targets)
        mask = try cut(batch.mask)
        maskTokenID = batch.maskTokenID
        promptWidth = batch.promptWidth
        completionWidth = batch.completionWidth
    }
}

extension Transformer {
    /// log p(o_k | x') for every completion position [B, T] in float32, from one forward pass of
    /// x' (recorded for autograd unless the caller turns it off), and optionally the entropy of
    /// each of those predictions [B, T]. The sequence log-prob is the masked sum (mean-field).
    /// Padding positions hold garbage: multiply by `batch.mask`.
    public func diffusionLogProbs(_ batch: DiffusionCompletionBatch, entropy: Bool = false, entropyGradient: Bool = true) throws
        -> (logProbs: Tensor, entropy: Tensor?) {
        guard configuration.maskedDiffusion, configuration.maskTokenID == batch.maskTokenID else {
            throw ModelError("diffusionLogProbs() needs a masked-diffusion model whose mask token is the batch's (\(batch.maskTokenID)); the model has \(configuration.maskTokenID.map(String.init) ?? "none")")
        }
        let hidden = try hiddenStates(batch.tokens, positions: batch.positions, mask: batch.attentionMask)
        let logits = try logits(predicting(hidden, start: batch.promptWidth, end: batch.promptWidth + batch.completionWidth))
        let logProbs = try NN.tokenLogProbs(logits: logits, targets: batch.targets)
        return (logProbs, entropy ? try Self.entropy(logits, gradient: entropyGradient) : nil)
    }
}

extension Transformer {
    /// [B, W] the attention each prompt position receives in the last layer: the probabilities
    /// of every real query for it, averaged over heads and summed over queries (informed
    /// masking `by: attention`). Padding positions receive none.
    public func promptAttention(_ batch: DiffusionCompletionBatch) throws -> Tensor {
        let received = try attentionReceived(batch.tokens, positions: batch.positions, mask: batch.attentionMask)
        return try received.slice(dim: 1, start: 0, end: batch.promptWidth)
    }

    /// The model's top probability at every prompt position of `batch` [B, W], from one pass
    /// over x': what an informed masking strategy ranks prompt tokens by. With Dream's shift a
    /// prompt's first token has no prediction (nothing comes before it) and counts as certain.
    public func promptConfidence(_ batch: DiffusionCompletionBatch) throws -> Tensor {
        let hidden = try hiddenStates(batch.tokens, positions: batch.positions, mask: batch.attentionMask)
        guard configuration.shiftedPrediction else {
            let logits = try logits(hidden.slice(dim: 1, start: 0, end: batch.promptWidth))
            return try NN.softmax(logits, dim: -1).max(dim: -1).values
        }
        let rows = batch.rows
        let predicted = try NN.softmax(logits(predicting(hidden, start: 1, end: batch.promptWidth)), dim: -1).max(dim: -1).values
        let confidence = try Tensor.cat([Tensor.ones([rows, 1], dtype: predicted.dtype, device: device), predicted], dim: 1)
        // Left padding: a row's first token sits at position 0 too, after pads that predict nothing.
        let first = try batch.positions.slice(dim: 1, start: 0, end: batch.promptWidth).eq(0)
        return try confidence.maskedFill(first, 1)
    }
}
