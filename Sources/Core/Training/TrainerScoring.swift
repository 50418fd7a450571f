import Engine
import Models
import RLRunSDK

extension Trainer {
    /// How the `mu` updates of this kept batch score it, with the old and reference
    /// log-probs they compare against (computed here, once, without gradient).
    func makeScoring(_ kept: GeneratedBatch) throws -> (scoring: any UpdateScoring, metrics: [String: Double]) {
        policy.model.configuration.maskedDiffusion ? try diffusionScoring(kept) : (try causalScoring(kept), [:])
    }

    func causalScoring(_ kept: GeneratedBatch) throws -> CausalScoring {
        let model = policy.model
        let batch = try CompletionBatch(prompts: kept.prompts, completions: kept.completions, padTokenID: policy.padTokenID,
                                        device: model.device, countedRows: countedRows(kept))
        let width = batch.completionWidth
        let temperature = configuration.temperature
        // Behaviour log-probs come from sampling itself (same engine, same weights), which
        // saves the extra forward pass other trainers spend on them. Only updates after the
        // first read them (mu or mini_batches above 1); a single update uses sg(current).
        let old = try kept.samplingLogProbs.map { rows in
            try Tensor(rows.flatMap { $0 + Array(repeating: 0, count: width - $0.count) }, shape: [kept.count, width],
                       device: model.device)
        }
        let reference: Tensor? = requirements.needsReference ? try withNoGrad {
            if let frozen = self.reference { return try frozen.completionLogProbs(batch, temperature: temperature).logProbs }
            return try model.withAdaptersDisabled { try model.completionLogProbs(batch, temperature: temperature).logProbs }
        } : nil
        return CausalScoring(batch: batch, model: model, temperature: temperature, old: old, reference: reference)
    }

    /// diffu-GRPO's masks: `mu` seeds drawn right after generation (or 42 for every update
    /// without random masking), one prompt mask per seed from the masking plugin, and under
    /// each mask the old (mu > 1) and reference (KL weight > 0) log-probs.
    func diffusionScoring(_ kept: GeneratedBatch) throws -> (DiffusionScoring, [String: Double]) {
        guard let masker else {
            throw ConfigurationError(source: "masking", message: "a masked-diffusion policy needs a masking strategy for its log-prob estimate")
        }
        let model = policy.model
        let maskID = model.configuration.maskTokenID!
        let seeds: [UInt64] = configuration.diffusion.randomMasking
            ? try Tensor.randint(0, 4096, [mu], generator: generator).toArray(Int.self).map(UInt64.init)
            : Array(repeating: 42, count: mu)
        // The whole step's reward and accuracy (summed over ranks), so every rank masks at the same rate.
        let known = kept.correct.compactMap { $0 }
        var totals = [kept.rewards.reduce(0, +), Double(kept.count), known.reduce(0, +), Double(known.count)]
        if let group { totals = try group.sum(totals) }
        // Progress runs from 0 at the first step to 1 at the last, so a schedule reaches its end.
        let context = MaskingContext(progress: min(1, Double(step) / Double(max(1, configuration.steps - 1))),
                                     recentReward: totals[0] / max(1, totals[1]),
                                     recentAccuracy: totals[3] == 0 ? nil : totals[2] / totals[3])
        func layout(_ masks: [[Bool]]) throws -> DiffusionCompletionBatch {
            try DiffusionCompletionBatch(prompts: kept.prompts, completions: kept.regions, promptMasks: masks, maskTokenID: maskID,
                                         padTokenID: policy.padTokenID, stopTokenIDs: policy.stopTokenIDs,
                                         countedRows: countedRows(kept), device: model.device)
        }
        let unmasked = try layout(kept.prompts.map { Array(repeating: false, count: $0.count) })
        let confidence: [Float]? = masker.needsConfidence ? try withNoGrad {
            try inRows(kept.count) { try model.promptConfidence(unmasked.rows($0)) }.toArray(Float.self)
        } : nil
        let attention: [Float]? = masker.needsAttention ? try withNoGrad {
            try inRows(kept.count) { try model.promptAttention(unmasked.rows($0)) }.toArray(Float.self)
        } : nil
        var batches: [DiffusionCompletionBatch] = []
        var rates: [Double] = []
        for seed in seeds {
            let choice = try masker.promptMasks(prompts: kept.prompts, completions: kept.regions, groupSize: groupSize, seed: seed,
                                                context: context, confidence: confidence, attention: attention)
            batches.append(try layout(choice.masks))
            rates.append(choice.rate)
        }
        func logProbs(_ scorer: Transformer, _ batch: DiffusionCompletionBatch) throws -> Tensor {
            try withNoGrad { try inRows(kept.count) { try scorer.diffusionLogProbs(batch.rows($0)).logProbs } }
        }
        // Needed whenever an update follows another on this batch (several epochs or mini-batches).
        let old = updatesPerBatch > 1 ? try batches.map { try logProbs(model, $0) } : nil
        let reference: [Tensor]? = requirements.needsReference ? try batches.map { batch in
            if let frozen = self.reference { return try logProbs(frozen, batch) }
            return try model.withAdaptersDisabled { try logProbs(model, batch) }
        } : nil
        let metrics = ["mask_rate": rates.reduce(0, +) / Double(max(1, rates.count))]
        return (DiffusionScoring(batches: batches, model: model, old: old, reference: reference), metrics)
    }

    /// Which completions count in the loss: with mask_truncated_completions, those that stopped
    /// before max_new_tokens; nil: all.
    func countedRows(_ kept: GeneratedBatch) -> [Bool]? {
        configuration.maskTruncatedCompletions ? kept.stopReasons.map { $0 != .length } : nil
    }

    /// `body` over micro-batches of `count` rows, concatenated (bounds the memory of no-grad passes).
    func inRows(_ count: Int, _ body: (Range<Int>) throws -> Tensor) throws -> Tensor {
        let size = configuration.microBatchSize
        return try Tensor.cat(stride(from: 0, to: count, by: size).map { try body($0..<min($0 + size, count)) })
    }
}
