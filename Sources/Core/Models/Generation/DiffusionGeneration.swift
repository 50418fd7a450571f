import Engine

/// Completions of a masked-diffusion model for a batch of prompts.
public struct DiffusionGenerationResult: Sendable {
    /// Generated ids per prompt, up to and including the first stop token.
    public var tokens: [[Int]]
    /// The whole decoded region per prompt (`generationLength` ids), before the cut at a stop
    /// token: what the model saw, and what d1 scores (with a mask up to the first EOS).
    public var rawTokens: [[Int]]
    /// The step (0..<steps, counted over all blocks) at which each position of `rawTokens` was
    /// unmasked: the decoding order, for inspection.
    public var unmaskedAtStep: [[Int]]
    public var stopReasons: [StopReason]
}

extension Transformer {
    /// LLaDA's semi-autoregressive block decoding (ALGORITHMS.md §6) for a batch of prompts:
    /// x = [prompt, MASK × gen_len]; each step predicts every masked position of the current
    /// block by Gumbel-max in float64 and commits the step's quota of them, the most confident
    /// (or random) first; committed tokens are never remasked. Prompts of different lengths are
    /// left-padded, and the padding is hidden from attention.
    ///
    /// Two departures from LLaDA's code that leave its distribution intact: logits are computed
    /// only for the current block (positions outside it get confidence −∞ and are never
    /// committed, so they need no prediction), and the mask token is never a prediction
    /// (committing it would leave a mask that the quota no longer accounts for).
    ///
    /// - noise: where these prompts sit in a larger batch; each row then draws its noise from a
    ///   generator of its own, so a row's completion does not depend on the other rows of its
    ///   batch or process (default: the whole batch's noise from `generator`).
    public func generateByUnmasking(prompts: [[Int]], options: DiffusionSamplingOptions, generator: Generator,
                                    padTokenID: Int = 0, noise: SamplingNoise? = nil) throws -> DiffusionGenerationResult {
        guard configuration.maskedDiffusion, let maskID = configuration.maskTokenID else {
            throw ModelError("generateByUnmasking() needs a masked-diffusion model with a mask token; causal models use generate()")
        }
        try options.validate()
        guard !prompts.isEmpty else { return DiffusionGenerationResult(tokens: [], rawTokens: [], unmaskedAtStep: [], stopReasons: []) }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        let width = prompts.map(\.count).max()!
        let length = options.generationLength
        guard width + length <= configuration.maxPositions else {
            throw ModelError("prompt (\(width)) + generation length (\(length)) exceed the model's \(configuration.maxPositions) positions")
        }
        let (raw, order) = try withNoGrad {
            if let noise, noise.offset < 0 || noise.offset + prompts.count > noise.totalRows {
                throw ModelError("rows \(noise.offset)..<\(noise.offset + prompts.count) lie outside the sampled batch of \(noise.totalRows)")
            }
            let draws = try noise.map { NoiseDraws.rows(try $0.rowGenerators(rows: prompts.count, device: device)) } ?? .batch(generator)
            let unmasking = try Unmasking(model: self, prompts: prompts, length: length, maskID: maskID,
                                          padTokenID: padTokenID, guidanceScale: options.guidanceScale)
            let order = try Tensor.full([prompts.count, length], -1, dtype: .int64, device: device)
            let quota = DiffusionSamplingOptions.tokensPerStep(masked: options.blockLength, steps: options.stepsPerBlock)
            for block in 0..<options.blocks {
                let start = width + block * options.blockLength
                // A block is wholly masked when it starts (later blocks are never touched), so
                // every row has the same quota.
                for (step, count) in quota.enumerated() where count > 0 {
                    let chosen = try unmasking.step(start: start, end: start + options.blockLength, commit: count,
                                                    options: options, draws: draws)
                    let blockOrder = try order.slice(dim: 1, start: start - width, end: start - width + options.blockLength)
                    let stamp = try Tensor.full(chosen.shape, Double(block * options.stepsPerBlock + step), dtype: .int64, device: device)
                    try blockOrder.copyInPlace(from: blockOrder.scatter(dim: 1, index: chosen, source: stamp))
                }
            }
            return (try unmasking.x.slice(dim: 1, start: width).toArray(Int.self), try order.toArray(Int.self))
        }
        let rawTokens = (0..<prompts.count).map { Array(raw[($0 * length)..<(($0 + 1) * length)]) }
        let stops = rawTokens.map { $0.firstIndex(where: options.stopTokenIDs.contains) }
        return DiffusionGenerationResult(
            tokens: zip(rawTokens, stops).map { tokens, stop in stop.map { Array(tokens[...$0]) } ?? tokens },
            rawTokens: rawTokens,
            unmaskedAtStep: (0..<prompts.count).map { Array(order[($0 * length)..<(($0 + 1) * length)]) },
            stopReasons: stops.map { $0 == nil ? .length : .stopToken })
    }
}

/// The state of one batch being unmasked: the sequences x and what every forward pass of them
/// needs (positions, the padding mask, and for guidance the unconditional copy's inputs).
private struct Unmasking {
    let model: Transformer
    /// [B, W + gen_len]: left-padded prompts, then the generation region, updated in place.
    let x: Tensor
    let positions: Tensor
    let attentionMask: Tensor
    /// [B, W + gen_len] true at prompt tokens: what the unconditional pass masks.
    let promptPositions: Tensor
    let maskID: Int
    let guidanceScale: Double
    /// [V] true at the mask id, which is never predicted.
    let maskColumn: Tensor

    init(model: Transformer, prompts: [[Int]], length: Int, maskID: Int, padTokenID: Int, guidanceScale: Double) throws {
        let width = prompts.map(\.count).max()!
        let padding = prompts.map { width - $0.count }
        var ids: [Int64] = [], positions: [Int64] = [], isPrompt: [Bool] = []
        for (prompt, pad) in zip(prompts, padding) {
            ids += Array(repeating: Int64(padTokenID), count: pad) + prompt.map(Int64.init)
                + Array(repeating: Int64(maskID), count: length)
            positions += Array(repeating: 0, count: pad) + (0..<(prompt.count + length)).map(Int64.init)
            isPrompt += Array(repeating: false, count: pad) + Array(repeating: true, count: prompt.count)
                + Array(repeating: false, count: length)
        }
        let shape = [prompts.count, width + length]
        let device = model.device
        self.model = model
        x = try Tensor(ids, shape: shape, device: device)
        self.positions = try Tensor(positions, shape: shape, device: device)
        // Bidirectional: every query sees every real key, so padded queries too never see an empty row.
        attentionMask = try Transformer.paddingMask(padding: padding, keys: width + length, device: device)
        promptPositions = try Tensor(isPrompt, shape: shape, device: device)
        self.maskID = maskID
        self.guidanceScale = guidanceScale
        maskColumn = try Tensor.arange(Double(model.configuration.vocabularySize), device: device).eq(Double(maskID))
    }

    /// Float64 logits [B, end − start, V] of the block start..<end; with guidance
    /// u + (s + 1)(c − u), u from a pass with the prompt masked.
    func blockLogits(start: Int, end: Int) throws -> Tensor {
        guard guidanceScale > 0 else {
            let hidden = try model.hiddenStates(x, positions: positions, mask: attentionMask)
            return try model.logits(model.predicting(hidden, start: start, end: end)).to(.float64)
        }
        let rows = x.size(0)
        let unconditional = try x.maskedFill(promptPositions, Double(maskID))
        let hidden = try model.hiddenStates(Tensor.cat([x, unconditional]), positions: Tensor.cat([positions, positions]),
                                            mask: Tensor.cat([attentionMask, attentionMask]))
        let both = try model.logits(model.predicting(hidden, start: start, end: end)).to(.float64)
        let conditional = try both.slice(dim: 0, start: 0, end: rows)
        let u = try both.slice(dim: 0, start: rows)
        return try u + (conditional - u) * (guidanceScale + 1)
    }

    /// One step on the block start..<end: predicts its masked positions, commits `commit` of
    /// them into x and returns their indices within the block [B, commit].
    func step(start: Int, end: Int, commit: Int, options: DiffusionSamplingOptions, draws: NoiseDraws) throws -> Tensor {
        let logits = try blockLogits(start: start, end: end)
        var scores = logits
        if options.temperature > 0 {
            // Gumbel-max: argmax exp(l) / (−log U)^T samples softmax(l / T).
            let uniform = try draws.uniform(logits.shape, device: logits.device)
            scores = try logits.exp() / (-uniform.log()).pow(options.temperature)
        }
        let predicted = try scores.maskedFill(maskColumn, -Double.infinity).argmax(dim: -1)
        let confidence: Tensor
        switch options.remasking {
        case .lowConfidence:
            confidence = try NN.softmax(logits, dim: -1).gather(dim: -1, index: predicted.unsqueeze(-1)).squeeze(-1)
        case .random:
            confidence = try draws.uniform(predicted.shape, device: logits.device)
        }
        let block = try x.slice(dim: 1, start: start, end: end)
        let decoded = try block.ne(Double(maskID))
        let chosen = try confidence.maskedFill(decoded, -Double.infinity).topk(commit, dim: -1).indices
        try block.copyInPlace(from: block.scatter(dim: 1, index: chosen, source: predicted.gather(dim: 1, index: chosen)))
        return chosen
    }
}

/// Where a diffusion step's uniforms come from: one draw for the whole batch, or one per row
/// from the row's own generator (stacked), so that rows are independent of their batch.
private enum NoiseDraws {
    case batch(Generator)
    case rows([Generator])

    /// Float64 uniforms in [0, 1) of `shape`, whose first dimension is the batch.
    func uniform(_ shape: [Int], device: Device) throws -> Tensor {
        switch self {
        case .batch(let generator):
            return try Tensor.rand(shape, dtype: .float64, device: device, generator: generator)
        case .rows(let generators):
            let row = Array(shape.dropFirst())
            return try Tensor.stack(generators.map { try Tensor.rand(row, dtype: .float64, device: device, generator: $0) })
        }
    }
}
