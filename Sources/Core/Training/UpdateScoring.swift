import Engine
import Models
import RLRunSDK

/// The log-probs of a kept batch as each of the `mu` updates needs them. A causal policy
/// scores the same rows the same way in every update; a masked-diffusion policy scores them
/// under update j's own prompt mask (diffu-GRPO), with old and reference log-probs stored per
/// mask, so the ratio compares like with like.
protocol UpdateScoring {
    /// [N, T] 1 on the completion tokens that count.
    var mask: Tensor { get }
    /// Behaviour log-probs [N, T] for update `iteration`; nil: none stored, so the loss gets
    /// the current log-probs detached (ρ ≡ 1).
    func oldLogProbs(iteration: Int) -> Tensor?
    func referenceLogProbs(iteration: Int) -> Tensor?
    /// The training forward pass of `rows` for update `iteration`, with entropies when asked
    /// (for the metrics; differentiable only when the loss uses them).
    func pass(iteration: Int, rows: Range<Int>, entropy: Bool, entropyGradient: Bool, hidden: Bool) throws -> ScoredPass
    /// [rows, T, hidden]: the states of another model (a separate critic's) before each
    /// completion token of `rows`.
    func states(of model: Transformer, rows: Range<Int>) throws -> Tensor
    /// The same scoring with its rows taken in the order `rows` (an epoch's reshuffle).
    func reordered(_ rows: [Int]) throws -> any UpdateScoring
}

/// One training forward pass: [rows, T] log-probs, optional entropies and critic states.
struct ScoredPass {
    var logProbs: Tensor
    var entropy: Tensor?
    var hidden: Tensor?
    /// [rows, T] the completion mask of these rows.
    var mask: Tensor
}

/// Causal policy: completions after their prompts, log-probs at temperature T.
struct CausalScoring: UpdateScoring {
    let batch: CompletionBatch
    let model: Transformer
    let temperature: Double
    let old: Tensor?
    let reference: Tensor?

    var mask: Tensor { batch.mask }
    func oldLogProbs(iteration: Int) -> Tensor? { old }
    func referenceLogProbs(iteration: Int) -> Tensor? { reference }

    func pass(iteration: Int, rows: Range<Int>, entropy: Bool, entropyGradient: Bool, hidden: Bool) throws -> ScoredPass {
        let part = try batch.rows(rows)
        let pass = try model.completionPass(part, temperature: temperature, entropy: entropy, entropyGradient: entropyGradient,
                                            hidden: hidden)
        return ScoredPass(logProbs: pass.logProbs, entropy: pass.entropy, hidden: pass.hidden, mask: part.mask)
    }

    func states(of model: Transformer, rows: Range<Int>) throws -> Tensor { try model.predictingStates(batch.rows(rows)) }

    func reordered(_ rows: [Int]) throws -> any UpdateScoring {
        let index = try Tensor(rows.map(Int64.init), device: batch.mask.device)
        return CausalScoring(batch: try batch.rows(rows), model: model, temperature: temperature,
                             old: try old?.indexSelect(dim: 0, index: index), reference: try reference?.indexSelect(dim: 0, index: index))
    }
}

/// Masked-diffusion policy: d1's one-step estimate, x' = [prompt with update j's mask, MASK ×
/// the decoded region], counted up to the first stop token.
struct DiffusionScoring: UpdateScoring {
    /// One layout per update, each with its own prompt mask.
    let batches: [DiffusionCompletionBatch]
    let model: Transformer
    let old: [Tensor]?
    let reference: [Tensor]?

    var mask: Tensor { batches[0].mask }
    func oldLogProbs(iteration: Int) -> Tensor? { old?[iteration % batches.count] }
    func referenceLogProbs(iteration: Int) -> Tensor? { reference?[iteration % batches.count] }

    func pass(iteration: Int, rows: Range<Int>, entropy: Bool, entropyGradient: Bool, hidden: Bool) throws -> ScoredPass {
        let part = try batches[iteration % batches.count].rows(rows)
        let pass = try model.diffusionLogProbs(part, entropy: entropy, entropyGradient: entropyGradient)
        return ScoredPass(logProbs: pass.logProbs, entropy: pass.entropy, hidden: nil, mask: part.mask)
    }

    func states(of model: Transformer, rows: Range<Int>) throws -> Tensor {
        throw ConfigurationError(source: "algorithm", message: "a critic needs a causal policy")
    }

    func reordered(_ rows: [Int]) throws -> any UpdateScoring {
        let index = try Tensor(rows.map(Int64.init), device: mask.device)
        return DiffusionScoring(batches: try batches.map { try $0.rows(rows) }, model: model,
                                old: try old?.map { try $0.indexSelect(dim: 0, index: index) },
                                reference: try reference?.map { try $0.indexSelect(dim: 0, index: index) })
    }
}
