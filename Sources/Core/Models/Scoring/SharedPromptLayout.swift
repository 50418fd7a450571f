import Engine

/// A `CompletionBatch` whose identical prompts are computed once: the distinct prompts,
/// right-padded, go through the model causally; then every completion goes through it attending
/// to its own prompt's keys and values (hidden past the prompt's length) and causally to itself.
/// The last prompt state predicts the first completion token, each completion token the next.
struct SharedPromptLayout {
    /// [U, P] the distinct prompts, right-padded.
    let promptTokens: Tensor
    /// [U, 1, 1] int64: the last real position of each distinct prompt.
    let lastPromptIndex: Tensor
    /// [B] int64: the distinct prompt of each completion row.
    let rows: Tensor
    /// [B, C] the completion tokens that predict the next ones (all but the last, C = T - 1),
    /// with their positions after their prompt and the attention mask [B, 1, C, P + C];
    /// nil when every completion is one token long.
    let completionTokens: Tensor?
    let completionPositions: Tensor?
    let completionMask: Tensor?

    /// Nil when sharing would not save at least a quarter of the tokens of one row per completion.
    init?(prompts: [[Int]], completions: [[Int]], width: Int, padTokenID: Int, device: Device) throws {
        let grouped = DistinctPrompts(prompts)
        let distinct = grouped.prompts
        let promptWidth = distinct.map(\.count).max()!
        let fed = width - 1
        let concatenatedTokens = prompts.count * zip(prompts, completions).map { $0.count + $1.count }.max()!
        guard 4 * (distinct.count * promptWidth + prompts.count * fed) <= 3 * concatenatedTokens else { return nil }

        let padded = distinct.flatMap { $0.map(Int64.init) + Array(repeating: Int64(padTokenID), count: promptWidth - $0.count) }
        promptTokens = try Tensor(padded, shape: [distinct.count, promptWidth], device: device)
        lastPromptIndex = try Tensor(distinct.map { Int64($0.count - 1) }, shape: [distinct.count, 1, 1], device: device)
        rows = try Tensor(grouped.rowPrompt.map(Int64.init), device: device)
        guard fed > 0 else { (completionTokens, completionPositions, completionMask) = (nil, nil, nil); return }

        var ids: [Int64] = [], positions: [Int64] = []
        for (prompt, completion) in zip(prompts, completions) {
            for t in 0..<fed {
                ids.append(t < completion.count ? Int64(completion[t]) : Int64(padTokenID))
                positions.append(Int64(prompt.count + t))
            }
        }
        let b = prompts.count
        completionTokens = try Tensor(ids, shape: [b, fed], device: device)
        completionPositions = try Tensor(positions, shape: [b, fed], device: device)
        // Keys: the prompt's own positions, then the completion causally.
        let promptLengths = try Tensor(prompts.map { Int64($0.count) }, shape: [b, 1, 1, 1], device: device)
        let promptKeys = try Tensor.arange(Double(promptWidth), device: device).view([1, 1, 1, promptWidth]).lt(promptLengths)
        let ownKeys = try Tensor.ones([fed, fed], dtype: .bool, device: device).tril(0).view([1, 1, fed, fed])
        completionMask = try Tensor.cat([promptKeys.expand([b, 1, fed, promptWidth]), ownKeys.expand([b, 1, fed, fed])], dim: 3)
    }
}

extension Transformer {
    /// [B, T, hidden]: the states predicting each completion token, from one pass over the
    /// distinct prompts and one over the completions.
    func sharedPromptStates(_ layout: SharedPromptLayout) throws -> Tensor {
        let keys = SharedPromptKeys()
        let promptHidden = try hiddenStates(layout.promptTokens, positions: nil, mask: nil, cache: nil, prompts: keys)
        let width = promptHidden.size(2)
        let last = try promptHidden.gather(dim: 1, index: layout.lastPromptIndex.expand([promptHidden.size(0), 1, width]))
            .indexSelect(dim: 0, index: layout.rows)
        guard let tokens = layout.completionTokens else { return last }
        keys.rows = layout.rows
        let completionHidden = try hiddenStates(tokens, positions: layout.completionPositions, mask: layout.completionMask,
                                                cache: nil, prompts: keys)
        return try Tensor.cat([last, completionHidden], dim: 1)
    }
}
