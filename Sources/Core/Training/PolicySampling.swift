import Engine
import Models

/// How the policy turns prompts into completions: token by token with a KV cache (causal
/// models), or by LLaDA's block-wise unmasking (masked-diffusion models). The trainer and the
/// evaluator hold one of these and never ask which kind of model they drive.
public enum PolicySampling: Sendable, Equatable {
    case causal(SamplingOptions)
    case diffusion(DiffusionSamplingOptions)

    /// The same sampling without randomness, for held-out evaluation.
    public var greedy: PolicySampling {
        switch self {
        case .causal(let options):
            return .causal(.greedy(maxNewTokens: options.maxNewTokens, stopTokenIDs: options.stopTokenIDs))
        case .diffusion(var options):
            options.temperature = 0
            return .diffusion(options)
        }
    }

    public var temperature: Double {
        switch self {
        case .causal(let options): options.temperature
        case .diffusion(let options): options.temperature
        }
    }

    public var maxNewTokens: Int {
        switch self {
        case .causal(let options): options.maxNewTokens
        case .diffusion(let options): options.generationLength
        }
    }

    /// Completions for `prompts` (no gradient is recorded), drawn from `noise` when given (rows
    /// of a larger batch, see `SamplingNoise`).
    func sample(_ model: Transformer, prompts: [[Int]], generator: Generator, noise: SamplingNoise? = nil,
                padTokenID: Int) throws -> SampledCompletions {
        try withNoGrad {
            switch self {
            case .causal(let options):
                let result = try model.generate(prompts: prompts, options: options, generator: generator, padTokenID: padTokenID,
                                                noise: noise)
                return SampledCompletions(tokens: result.tokens, behaviourLogProbs: result.logProbs, regions: result.tokens,
                                          stopReasons: result.stopReasons)
            case .diffusion(let options):
                let result = try model.generateByUnmasking(prompts: prompts, options: options, generator: generator,
                                                           padTokenID: padTokenID, noise: noise)
                // Block decoding yields no per-token sampling probabilities: old log-probs are
                // computed afterwards under each iteration's prompt mask.
                return SampledCompletions(tokens: result.tokens, behaviourLogProbs: nil, regions: result.rawTokens,
                                          stopReasons: result.stopReasons)
            }
        }
    }
}

/// What sampling returned for a batch of prompts.
struct SampledCompletions {
    /// Ids up to and including the stop token.
    var tokens: [[Int]]
    /// log p of each sampled token under the sampling distribution, when the sampler knows it.
    var behaviourLogProbs: [[Float]]?
    /// What training scores: the completion itself for causal models; the whole decoded region
    /// for masked-diffusion models (d1 counts its tokens only up to the first stop token).
    var regions: [[Int]]
    var stopReasons: [StopReason]
}
