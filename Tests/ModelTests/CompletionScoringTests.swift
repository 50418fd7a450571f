import Foundation
import Testing
@testable import Engine
@testable import Models

@Suite(.enabled(if: parityFolder != nil, "needs ../shared/parity/tiny-qwen2"))
struct CompletionScoringTests {
    let model: Transformer
    init() throws { model = try Transformer(folder: try #require(parityFolder)) }

    /// log p of each completion token from a full forward pass of that one sequence.
    func reference(_ prompt: [Int], _ completion: [Int], temperature: Double) throws -> [Double] {
        let ids = prompt + completion
        let logits = try model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).squeeze(0) / temperature
        let rows = try logits.slice(dim: 0, start: prompt.count - 1, end: ids.count - 1)
        return try NN.tokenLogProbs(logits: rows, targets: Tensor(completion.map(Int64.init))).toArray(Double.self)
    }

    @Test func batchedLogProbsMatchSingleSequences() throws {
        let prompts = [[412, 300, 223], [53], [306, 266, 43, 9, 78]]
        let completions = [[70, 87, 397], [74, 71, 270, 67, 77], [78]]
        let batch = try CompletionBatch(prompts: prompts, completions: completions, padTokenID: 0)
        #expect(batch.targets.shape == [3, 5])
        #expect(try batch.mask.toArray(Float.self) == [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
        try withNoGrad {
            let (logProbs, entropy) = try model.completionLogProbs(batch, temperature: 0.7, entropy: true)
            let values = try logProbs.toArray(Double.self)
            for row in 0..<3 {
                let expected = try reference(prompts[row], completions[row], temperature: 0.7)
                for (k, value) in expected.enumerated() {
                    #expect(Swift.abs(values[row * 5 + k] - value) < 1e-4, "row \(row) token \(k)")
                }
            }
            let h = try #require(entropy).toArray(Double.self)
            #expect(h.allSatisfy { $0 >= 0 && $0 <= Foundation.log(442.0) + 1e-4 })
        }
    }

    @Test func microBatchRowsKeepTheLayout() throws {
        let batch = try CompletionBatch(prompts: [[1, 2], [3], [4, 5, 6]], completions: [[7], [8, 9], []], padTokenID: 0)
        let part = try batch.rows(1..<3)
        #expect(part.rows == 2)
        #expect(try part.mask.toArray(Float.self) == [1, 1, 0, 0])
        #expect(part.completionWidth == 2)
    }

    /// Rows taken in another order (an epoch's reshuffle) score as those rows did in place, in
    /// both layouts, and keep their counted flags.
    @Test(arguments: [false, true]) func reorderedRowsScoreAsInPlace(sharePrompts: Bool) throws {
        let batch = try CompletionBatch(prompts: [[412, 300], [412, 300], [53, 9]], completions: [[70, 87], [74], [78, 71]],
                                        padTokenID: 0, sharePrompts: sharePrompts, countedRows: [true, false, true])
        let part = try batch.rows([2, 1])
        #expect(try part.mask.toArray(Float.self) == [1, 1, 0, 0])
        let (all, picked) = try withNoGrad {
            (try model.completionLogProbs(batch).logProbs.toArray(Double.self), try model.completionLogProbs(part).logProbs.toArray(Double.self))
        }
        #expect(Swift.abs(picked[0] - all[4]) < 1e-5 && Swift.abs(picked[1] - all[5]) < 1e-5)
        #expect(Swift.abs(picked[2] - all[2]) < 1e-5)
        #expect(throws: ModelError.self) { try batch.rows([0, 3]) }
    }

    /// A row that does not count (a truncated completion under overlong filtering) has mask 0
    /// everywhere, in both layouts and in its micro-batches; its targets stay as they are.
    @Test(arguments: [false, true]) func uncountedRowsHaveNoMask(sharePrompts: Bool) throws {
        let batch = try CompletionBatch(prompts: [[1, 2], [1, 2], [4]], completions: [[7, 8], [8, 9], [5]], padTokenID: 0,
                                        sharePrompts: sharePrompts, countedRows: [true, false, true])
        #expect(try batch.mask.toArray(Float.self) == [1, 1, 0, 0, 1, 0])
        #expect(try batch.targets.toArray(Int.self) == [7, 8, 8, 9, 5, 0])
        #expect(try batch.rows(1..<3).mask.toArray(Float.self) == [0, 0, 1, 0])
        #expect(throws: ModelError.self) {
            try CompletionBatch(prompts: [[1]], completions: [[2]], padTokenID: 0, countedRows: [true, false])
        }
    }

    @Test func gradientsFlowToTheWeights() throws {
        let batch = try CompletionBatch(prompts: [[412, 300]], completions: [[70, 87]], padTokenID: 0)
        let weight = try model.blocks[0].mlp.up.weight.requiringGrad()
        let (logProbs, _) = try model.completionLogProbs(batch)
        try (logProbs * batch.mask).sum().backward()
        let grad = try #require(weight.grad)
        #expect(try grad.abs().sum().item() > 0)
        try weight.zeroGrad()
        try weight.requiringGrad(false)
    }
}
