import Engine

/// Prompts and their completions laid out for one training forward pass. The states that
/// predict each completion token are gathered by index, so logits are computed for completions only.
///
/// Two layouts give the same log-probs:
/// - each row its prompt followed by its completion, right-padded, so plain causal attention is
///   exact (padding only ever follows real tokens) and the fused causal kernel applies;
/// - when completions share prompts (a group of G samples of one prompt), each distinct prompt
///   once, then the completions attending to their prompt's keys (`SharedPromptLayout`). The
///   prompt's share of the work is divided by G, forward and backward.
public struct CompletionBatch {
    /// [B, T] the completion ids (targets of the log-probs), padding where a row is shorter.
    public let targets: Tensor
    /// [B, T] float32: 1 on completion tokens, 0 on padding.
    public let mask: Tensor
    public let completionWidth: Int
    public var rows: Int { targets.size(0) }
    let layout: Layout

    enum Layout {
        /// tokens [B, L] (L = longest prompt + completion) and, [B, T, 1] int64, the position whose
        /// state predicts completion token t (the token before it; padding repeats a valid position).
        case concatenated(tokens: Tensor, predictingIndex: Tensor)
        case sharedPrompts(SharedPromptLayout)
    }

    private let prompts: [[Int]]
    private let completions: [[Int]]
    private let padTokenID: Int
    private let device: Device
    private let countedRows: [Bool]?

    /// - sharePrompts: lay out identical prompts once when that saves at least a quarter of
    ///   the tokens (false: always one row per completion).
    /// - countedRows: false for a row none of whose tokens count (mask 0), e.g. a truncated
    ///   completion under overlong filtering; nil: every row counts.
    public init(prompts: [[Int]], completions: [[Int]], padTokenID: Int, device: Device = .cpu,
                sharePrompts: Bool = true, countedRows: [Bool]? = nil) throws {
        try self.init(prompts: prompts, completions: completions, padTokenID: padTokenID, device: device,
                      sharePrompts: sharePrompts, completionWidth: nil, countedRows: countedRows)
    }

    private init(prompts: [[Int]], completions: [[Int]], padTokenID: Int, device: Device, sharePrompts: Bool,
                 completionWidth: Int?, countedRows: [Bool]?) throws {
        guard prompts.count == completions.count, !prompts.isEmpty else {
            throw ModelError("CompletionBatch needs one completion per prompt and at least one row (got \(prompts.count) and \(completions.count))")
        }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        if let countedRows, countedRows.count != prompts.count {
            throw ModelError("\(countedRows.count) counted-row flags for \(prompts.count) rows")
        }
        let length = completionWidth ?? max(1, completions.map(\.count).max()!)
        var targets: [Int64] = [], mask: [Float] = []
        for (row, completion) in completions.enumerated() {
            let counted = countedRows?[row] ?? true
            for t in 0..<length {
                targets.append(t < completion.count ? Int64(completion[t]) : Int64(padTokenID))
                mask.append(counted && t < completion.count ? 1 : 0)
            }
        }
        let b = prompts.count
        self.targets = try Tensor(targets, shape: [b, length], device: device)
        self.mask = try Tensor(mask, shape: [b, length], device: device)
        self.completionWidth = length
        (self.prompts, self.completions, self.padTokenID, self.device) = (prompts, completions, padTokenID, device)
        self.countedRows = countedRows
        if sharePrompts, let shared = try SharedPromptLayout(prompts: prompts, completions: completions, width: length,
                                                             padTokenID: padTokenID, device: device) {
            layout = .sharedPrompts(shared)
        } else {
            layout = try Self.concatenated(prompts: prompts, completions: completions, width: length,
                                           padTokenID: padTokenID, device: device)
        }
    }

    private static func concatenated(prompts: [[Int]], completions: [[Int]], width length: Int, padTokenID: Int,
                                     device: Device) throws -> Layout {
        let width = zip(prompts, completions).map { $0.count + $1.count }.max()!
        var ids: [Int64] = [], index: [Int64] = []
        for (prompt, completion) in zip(prompts, completions) {
            let row = prompt + completion
            ids += row.map(Int64.init) + Array(repeating: Int64(padTokenID), count: width - row.count)
            for t in 0..<length { index.append(Int64(prompt.count - 1 + min(t, max(0, completion.count - 1)))) }
        }
        return .concatenated(tokens: try Tensor(ids, shape: [prompts.count, width], device: device),
                             predictingIndex: try Tensor(index, shape: [prompts.count, length, 1], device: device))
    }

    /// Whether identical prompts are laid out once.
    public var sharesPrompts: Bool {
        if case .sharedPrompts = layout { return true }
        return false
    }

    /// The rows in `range` (micro-batches), keeping the completion width.
    public func rows(_ range: Range<Int>) throws -> CompletionBatch { try rows(Array(range)) }

    /// The rows at `indices`, in that order (an epoch's new order of mini-batches), keeping the
    /// completion width.
    public func rows(_ indices: [Int]) throws -> CompletionBatch {
        guard indices.allSatisfy(prompts.indices.contains) else {
            throw ModelError("row indices \(indices) lie outside the batch's \(prompts.count) rows")
        }
        return try CompletionBatch(prompts: indices.map { prompts[$0] }, completions: indices.map { completions[$0] },
                                   padTokenID: padTokenID, device: device, sharePrompts: sharesPrompts,
                                   completionWidth: completionWidth, countedRows: countedRows.map { counted in indices.map { counted[$0] } })
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
        let predicting = try predictingStates(batch)
        var logits = try logits(predicting)
        if temperature != 1 { logits = try logits / temperature }
        let logProbs = try NN.tokenLogProbs(logits: logits, targets: batch.targets)
        return CompletionPass(logProbs: logProbs, entropy: entropy ? try Self.entropy(logits, gradient: entropyGradient) : nil,
                              hidden: keepHidden ? predicting : nil)
    }

    /// [B, T, hidden]: the final state before each completion token.
    public func predictingStates(_ batch: CompletionBatch) throws -> Tensor {
        switch batch.layout {
        case .concatenated(let tokens, let predictingIndex):
            let hidden = try hiddenStates(tokens)
            return try hidden.gather(dim: 1, index: predictingIndex.expand([batch.rows, batch.completionWidth, hidden.size(2)]))
        case .sharedPrompts(let layout):
            return try sharedPromptStates(layout)
        }
    }

    static func entropy(_ logits: Tensor, gradient: Bool) throws -> Tensor {
        gradient ? try NN.tokenEntropy(logits: logits) : try withNoGrad { try NN.tokenEntropy(logits: logits.detached()) }
    }
}
