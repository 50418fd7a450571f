import Engine

extension Transformer {
    /// Samples a completion for every prompt in one batch with a KV cache. Prompts of
    /// different lengths are left-padded and masked; a sequence leaves the batch when it stops.
    /// - stop: called with a row's generated ids after each token; true ends that row
    ///   (for stop strings, decode and search there).
    /// - noise: where these prompts sit in a larger batch sampled with the same draws
    ///   (default: this batch alone, drawn from `generator`).
    public func generate(prompts: [[Int]], options: SamplingOptions, generator: Generator, padTokenID: Int = 0,
                         noise: SamplingNoise? = nil, stop: (([Int]) -> Bool)? = nil) throws -> GenerationResult {
        guard !configuration.maskedDiffusion else {
            throw ModelError("generate() is for causal models; masked-diffusion models use generateByUnmasking()")
        }
        guard !prompts.isEmpty else { return GenerationResult(tokens: [], logProbs: [], stopReasons: []) }
        guard prompts.allSatisfy({ !$0.isEmpty }) else { throw ModelError("every prompt needs at least one token") }
        let width = prompts.map(\.count).max()!
        guard width + options.maxNewTokens <= configuration.maxPositions else {
            throw ModelError("prompt (\(width)) + max new tokens (\(options.maxNewTokens)) exceed the model's \(configuration.maxPositions) positions")
        }
        let noise = noise ?? SamplingNoise(generator: generator, totalRows: prompts.count)
        guard noise.offset >= 0, noise.offset + prompts.count <= noise.totalRows else {
            throw ModelError("rows \(noise.offset)..<\(noise.offset + prompts.count) lie outside the sampled batch of \(noise.totalRows)")
        }
        return try withNoGrad {
            // A group's copies of one prompt are prefilled once; their cache rows are then repeated.
            let grouped = DistinctPrompts(prompts)
            let distinct = grouped.prompts
            let distinctPadding = distinct.map { width - $0.count }
            var ids: [Int64] = [], positions: [Int64] = []
            for (prompt, pad) in zip(distinct, distinctPadding) {
                ids += Array(repeating: Int64(padTokenID), count: pad) + prompt.map(Int64.init)
                positions += Array(repeating: 0, count: pad) + (0..<prompt.count).map(Int64.init)
            }
            let batch = prompts.count
            let cache = try makeCache(batch: distinct.count, capacity: width + options.maxNewTokens)
            let prefillMask = try Self.paddedCausalMask(padding: distinctPadding, length: width, device: device)
            // Only the last position's logits are needed: the head runs on one state per prompt.
            var logits = try logits(hiddenStates(Tensor(ids, shape: [distinct.count, width], device: device),
                                                 positions: Tensor(positions, shape: [distinct.count, width], device: device),
                                                 mask: prefillMask, cache: cache).select(dim: 1, index: width - 1))
            if distinct.count < batch {
                let repeated = try Tensor(grouped.rowPrompt.map(Int64.init), device: device)
                try cache.keepRows(repeated)
                logits = try logits.indexSelect(dim: 0, index: repeated)
            }
            var padding = prompts.map { width - $0.count }

            var active = Array(0..<batch)
            var nextPosition = prompts.map(\.count)
            var tokens = Array(repeating: [Int](), count: batch)
            var logProbs = Array(repeating: [Float](), count: batch)
            var reasons = Array(repeating: StopReason.length, count: batch)
            for step in 0..<options.maxNewTokens {
                let uniforms = options.temperature > 0 ? try noise.uniforms(rows: active, device: device) : nil
                let (picked, pickedLogProbs) = try sample(logits, options: options, uniforms: uniforms)
                var finished: [Int] = []
                for (row, sequence) in active.enumerated() {
                    tokens[sequence].append(picked[row])
                    logProbs[sequence].append(pickedLogProbs[row])
                    if options.stopTokenIDs.contains(picked[row]) {
                        reasons[sequence] = .stopToken
                        finished.append(row)
                    } else if let stop, stop(tokens[sequence]) {
                        reasons[sequence] = .stopCondition
                        finished.append(row)
                    }
                }
                if step == options.maxNewTokens - 1 { break }
                var input = picked
                if !finished.isEmpty {
                    let keep = active.indices.filter { !finished.contains($0) }
                    if keep.isEmpty { break }
                    try cache.keepRows(Tensor(keep.map(Int64.init), device: device))
                    active = keep.map { active[$0] }
                    padding = keep.map { padding[$0] }
                    input = keep.map { picked[$0] }
                }
                let rows = active.count
                let keyCount = cache.length + 1
                // Without left padding one new token sees every key: no mask (a faster attention path).
                let mask = padding.allSatisfy { $0 == 0 } ? nil : try Self.paddingMask(padding: padding, keys: keyCount, device: device)
                let position = try Tensor(active.map { Int64(nextPosition[$0]) }, shape: [rows, 1], device: device)
                for sequence in active { nextPosition[sequence] += 1 }
                logits = try self(Tensor(input.map(Int64.init), shape: [rows, 1], device: device), positions: position,
                                  mask: mask, cache: cache).select(dim: 1, index: 0)
            }
            return GenerationResult(tokens: tokens, logProbs: logProbs, stopReasons: reasons)
        }
    }

    /// Next tokens [B] and their log-probs for logits [B, V], one uniform in (0, 1] per row
    /// choosing the token by inverse CDF (nil: greedy).
    func sample(_ logits: Tensor, options: SamplingOptions, uniforms: Tensor?) throws -> ([Int], [Float]) {
        let logits = try logits.to(.float32)
        guard let uniforms, options.temperature > 0 else {
            let picked = try logits.argmax(dim: -1)
            let logProbs = try NN.tokenLogProbs(logits: logits, targets: picked)
            return (try picked.toArray(Int.self), try logProbs.toArray(Float.self))
        }
        let scaled = try logits / options.temperature
        var filtered: Tensor?
        if options.topK > 0 && options.topK < scaled.size(-1) {
            let kth = try scaled.topk(options.topK, dim: -1).values.slice(dim: -1, start: options.topK - 1)
            filtered = try scaled.maskedFill(scaled.lt(kth), -Double.infinity)
        }
        if options.topP < 1 {
            let (sorted, order) = try (filtered ?? scaled).sort(dim: -1, descending: true)
            let probabilities = try NN.softmax(sorted, dim: -1)
            // Drop a token when the tokens before it already reach top_p (the first always stays).
            let before = try probabilities.cumsum(dim: -1) - probabilities
            let trimmed = try sorted.maskedFill(before.gt(options.topP), -Double.infinity)
            filtered = try (filtered ?? scaled).scatter(dim: -1, index: order, source: trimmed)
        }
        // The token is drawn from the filtered distribution; its log-prob is the tempered one's.
        guard let filtered else {
            let (picked, logProbs) = try NN.sampleInverseCDF(logits: scaled, uniforms: uniforms)
            return (try picked.toArray(Int.self), try logProbs.toArray(Float.self))
        }
        let picked = try NN.sampleInverseCDF(logits: filtered, uniforms: uniforms).tokens
        let logProbs = try NN.tokenLogProbs(logits: scaled, targets: picked)
        return (try picked.toArray(Int.self), try logProbs.toArray(Float.self))
    }

    /// Boolean [B, 1, 1, keys]: true for every key after the row's left padding.
    static func paddingMask(padding: [Int], keys: Int, device: Device) throws -> Tensor {
        try Tensor.arange(Double(keys), device: device).unsqueeze(0)
            .ge(Tensor(padding.map(Int64.init), device: device).unsqueeze(1)).unsqueeze(1).unsqueeze(1)
    }

    /// Boolean [B, 1, length, length]: causal, keys of left padding hidden, and padded query
    /// rows allowed to see themselves (an all-masked row would give NaN).
    static func paddedCausalMask(padding: [Int], length: Int, device: Device) throws -> Tensor {
        let keys = try paddingMask(padding: padding, keys: length, device: device).squeeze(1).squeeze(1)  // [B, S]
        let causal = try Tensor.ones([length, length], dtype: .bool, device: device).tril(0)
        let diagonal = try causal.logicalAnd(Tensor.ones([length, length], dtype: .bool, device: device).triu(0))
        return try causal.unsqueeze(0).logicalAnd(keys.unsqueeze(1)).logicalOr(diagonal.unsqueeze(0)).unsqueeze(1)
    }
}
