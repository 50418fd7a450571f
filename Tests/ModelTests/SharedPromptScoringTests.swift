import Foundation
import Testing
@testable import Engine
@testable import Models

/// Completions that share a prompt computed once give the same log-probs, entropies, states and
/// gradients as one row per completion.
struct SharedPromptScoringTests {
    func model(type: String, seed: UInt64 = 1) throws -> Transformer {
        let configuration = ModelConfiguration(modelType: type, hiddenSize: 32, layers: 2, attentionHeads: 4,
                                               keyValueHeads: 2, intermediateSize: 64, vocabularySize: 40,
                                               tieWordEmbeddings: type == "llama", attentionBias: type == "qwen2")
        return try Transformer(configuration: configuration,
                               weights: .random(generator: Generator(seed: seed), std: 0.2, dtype: .float32, device: .cpu))
    }

    /// Two groups of three completions and one of two, prompts of different lengths (longer than
    /// the completions, as in RL on questions), completions of one token, of none and of several.
    let prompts = [Array(1...10), Array(1...10), Array(1...10), [11, 3, 5, 7, 9, 2], [11, 3, 5, 7, 9, 2], [11, 3, 5, 7, 9, 2],
                   Array(20...31), Array(20...31)]
    let completions = [[12, 13, 14, 1], [12], [20, 21], [30, 31, 32, 33, 34], [], [2, 2, 2], [7, 8], [9]]

    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }

    @Test(arguments: ["llama", "qwen2"])
    func sharedPromptsScoreLikeOneRowPerCompletion(type: String) throws {
        let model = try model(type: type)
        let shared = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0)
        let plain = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0, sharePrompts: false)
        #expect(shared.sharesPrompts)
        #expect(!plain.sharesPrompts)
        #expect(shared.completionWidth == plain.completionWidth)
        try withNoGrad {
            let a = try model.completionPass(shared, temperature: 0.8, entropy: true, hidden: true)
            let b = try model.completionPass(plain, temperature: 0.8, entropy: true, hidden: true)
            #expect(try maxDifference(a.logProbs * shared.mask, b.logProbs * plain.mask) < 1e-5)
            #expect(try maxDifference(a.entropy! * shared.mask, b.entropy! * plain.mask) < 1e-5)
            let rowMask = try shared.mask.unsqueeze(2)
            #expect(try maxDifference(a.hidden! * rowMask, b.hidden! * rowMask) < 1e-5)
            // The values are not all trivially equal: a completion's log-probs depend on its prompt.
            #expect(try (a.logProbs * shared.mask).abs().sum().item() > 1)
        }
    }

    @Test(arguments: ["llama", "qwen2"])
    func gradientsSumOverTheCompletionsOfAPrompt(type: String) throws {
        let model = try model(type: type)
        func gradients(_ batch: CompletionBatch) throws -> [Tensor] {
            let weights = try model.parameters().map { try $0.1.requiringGrad() }
            defer { for weight in weights { try? weight.zeroGrad(); try? weight.requiringGrad(false) } }
            let pass = try model.completionPass(batch, entropy: true)
            // Per-row weights, as advantages would be, so that no two rows' gradients cancel by symmetry.
            let rowWeights = try Tensor((0..<batch.rows).map { Float($0 % 3) - 0.7 }, shape: [batch.rows, 1])
            try ((pass.logProbs * rowWeights + pass.entropy! * 0.1) * batch.mask).sum().backward()
            return try weights.map { try #require($0.grad).clone() }
        }
        let sharedBatch = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0)
        #expect(sharedBatch.sharesPrompts)
        let shared = try gradients(sharedBatch)
        let plain = try gradients(try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0,
                                                      sharePrompts: false))
        #expect(shared.count == plain.count)
        for (name, (a, b)) in zip(model.parameters().map(\.0), zip(shared, plain)) {
            let scale = max(try b.abs().max().item(), 1e-6)
            #expect(try maxDifference(a, b) / scale < 1e-4, "\(name)")
        }
        #expect(try plain.map { try $0.abs().sum().item() }.reduce(0, +) > 0)
    }

    @Test func microBatchesKeepTheWidthAndTheValues() throws {
        let model = try model(type: "llama")
        let batch = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0)
        let part = try batch.rows(3..<6)
        #expect(part.rows == 3)
        #expect(part.completionWidth == batch.completionWidth)
        #expect(part.sharesPrompts)
        try withNoGrad {
            let whole = try model.completionLogProbs(batch).logProbs.slice(dim: 0, start: 3, end: 6)
            let piece = try model.completionLogProbs(part).logProbs
            #expect(try maxDifference(whole * part.mask, piece * part.mask) < 1e-5)
        }
    }

    @Test func distinctPromptsKeepOneRowPerCompletion() throws {
        let batch = try CompletionBatch(prompts: [[1, 2], [3], [4, 5, 6]], completions: [[7], [8, 9], []], padTokenID: 0)
        #expect(!batch.sharesPrompts)
        // Short prompts and long completions: sharing would save too little to pay for the second pass.
        let long = Array(repeating: 3, count: 40)
        #expect(!(try CompletionBatch(prompts: [[1], [1]], completions: [long, long], padTokenID: 0).sharesPrompts))
    }

    @Test func singleTokenCompletionsNeedOnlyThePromptPass() throws {
        let model = try model(type: "llama")
        let prompts = Array(repeating: [4, 6, 8, 10, 12], count: 4)
        let completions = [[1], [2], [3], [4]]
        let shared = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0)
        #expect(shared.sharesPrompts)
        try withNoGrad {
            let a = try model.completionLogProbs(shared).logProbs
            let b = try model.completionLogProbs(try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0,
                                                                     sharePrompts: false)).logProbs
            #expect(a.shape == [4, 1])
            #expect(try maxDifference(a, b) < 1e-5)
        }
    }
}
