import Foundation
import Testing
@testable import Engine
@testable import Models

struct DiffusionLogProbTests {
    let model: Transformer
    let prompts = ScoredRows.prompts, completions = ScoredRows.completions, promptMasks = ScoredRows.promptMasks

    init() throws { model = try tinyDiffusionModel(seed: 1) }

    func batch(stopTokenIDs: Set<Int> = []) throws -> DiffusionCompletionBatch { try ScoredRows.batch(stopTokenIDs: stopTokenIDs) }

    /// log_softmax of one unpadded forward pass of x' = [masked prompt, MASK × |completion|],
    /// read at each completion position and token.
    func reference(_ row: Int) throws -> [Double] {
        let ids = ScoredRows.maskedSequence(row)
        let promptLength = prompts[row].count
        let logProbs = try NN.logSoftmax(model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).squeeze(0), dim: -1)
        return try completions[row].enumerated().map { k, token in
            try logProbs.select(dim: 0, index: promptLength + k).select(dim: 0, index: token).item()
        }
    }

    @Test func logProbsAreTheLogSoftmaxOfTheMaskedSequence() throws {
        let batch = try batch()
        try withNoGrad {
            let (logProbs, entropy) = try model.diffusionLogProbs(batch, entropy: true)
            #expect(logProbs.shape == [3, 4])
            #expect(logProbs.dtype == .float32)
            let values = try logProbs.toArray(Double.self)
            for row in 0..<3 {
                for (k, expected) in try reference(row).enumerated() {
                    #expect(Swift.abs(values[row * 4 + k] - expected) < 1e-4, "row \(row) token \(k)")
                }
            }
            #expect(try #require(entropy).toArray(Double.self).allSatisfy { $0 >= 0 && $0 <= Foundation.log(64.0) + 1e-4 })
        }
    }

    @Test func exactlyTheChosenPromptPositionsAreMasked() throws {
        let batch = try batch()
        let m = Int64(tinyMaskID)
        let rows = try batch.tokens.toArray(Int64.self)
        // Width 6 + 4: left padding 0, prompt (masked where chosen), a mask per completion token, right padding 0.
        #expect(Array(rows[0..<10]) == [0, 0, 5, m, 12, m, m, m, m, m])
        #expect(Array(rows[10..<20]) == [0, 0, 0, 0, m, 4, m, 0, 0, 0])
        #expect(Array(rows[20..<30]) == [20, 21, m, 23, 24, 25, m, m, m, 0])
        let visible = try batch.attentionMask.toArray(Bool.self)
        #expect(Array(visible[10..<20]) == [false, false, false, false, true, true, true, false, false, false])
        #expect(try batch.mask.toArray(Float.self) == [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0])
    }

    @Test func completionMaskEndsAtTheFirstStopToken() throws {
        let batch = try batch(stopTokenIDs: [tinyEOS])
        #expect(try batch.mask.toArray(Float.self) == [1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0])
    }

    /// Every real query's probabilities sum to 1 over the keys, so the attention the positions
    /// of a row receive adds up to its real tokens; padding receives none.
    @Test func attentionReceivedAddsUpToTheRealQueries() throws {
        let batch = try batch()
        let received = try model.attentionReceived(batch.tokens, positions: batch.positions, mask: batch.attentionMask)
        let real = try batch.attentionMask.toArray(Bool.self)
        let values = try received.toArray(Float.self)
        let width = received.size(1)
        for row in 0..<3 {
            let cells = (row * width)..<((row + 1) * width)
            let count = cells.filter { real[$0] }.count
            #expect(Swift.abs(cells.map { values[$0] }.reduce(0, +) - Float(count)) < 1e-4)
            #expect(cells.allSatisfy { real[$0] || values[$0] == 0 }, "padding receives no attention")
            #expect(cells.allSatisfy { values[$0] >= 0 })
        }
        let prompt = try model.promptAttention(batch)
        #expect(prompt.shape == [3, batch.promptWidth])
    }

    /// The explicit probabilities are the fused kernel's: softmax(q·kᵀ/√d)·V through the output
    /// projection gives the attention layer's output.
    @Test func explicitAttentionProbabilitiesMatchTheFusedKernel() throws {
        let block = model.blocks[0], attention = block.attention
        let batch = try batch()
        let x = try block.inputNorm(NN.embedding(batch.tokens, weight: model.embedding))
        let rope = try model.rope.table(positions: batch.positions, dtype: .float32)
        let fused = try attention(x, rope: rope, mask: batch.attentionMask, causal: false, cache: nil, layer: 0)
        let (b, l) = (x.size(0), x.size(1))
        let values = try attention.v(x).view([b, l, model.configuration.keyValueHeads, model.configuration.headDimension])
            .transpose(1, 2).repeatInterleave(model.configuration.attentionHeads / model.configuration.keyValueHeads, dim: 1)
        let weighted = try attention.probabilities(x, rope: rope, mask: batch.attentionMask).matmul(values)
        let explicit = try attention.o(weighted.transpose(1, 2).reshape([b, l, -1]))
        let gap = zip(try explicit.toArray(Float.self), try fused.toArray(Float.self)).map { Swift.abs($0 - $1) }.max() ?? 1
        #expect(gap < 1e-5)
    }

    @Test func uncountedRowsHaveNoMask() throws {
        let batch = try DiffusionCompletionBatch(prompts: prompts, completions: completions, promptMasks: promptMasks,
                                                 maskTokenID: tinyMaskID, padTokenID: 0, stopTokenIDs: [tinyEOS],
                                                 countedRows: [false, true, true])
        #expect(try batch.mask.toArray(Float.self) == [0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0])
        #expect(try batch.rows(0..<1).mask.toArray(Float.self) == [0, 0, 0, 0])
    }

    @Test func gradientsReachTheWeights() throws {
        let batch = try batch()
        let weight = try model.blocks[0].attention.q.weight.requiringGrad()
        let (logProbs, _) = try model.diffusionLogProbs(batch)
        #expect(logProbs.requiresGrad)
        try (logProbs * batch.mask).sum().backward()
        #expect(try #require(weight.grad).abs().sum().item() > 0)
    }

    @Test func microBatchRowsKeepTheLayout() throws {
        let part = try batch().rows(1..<3)
        #expect(part.rows == 2)
        #expect(part.promptWidth == 6)
        #expect(part.completionWidth == 4)
        #expect(try part.mask.toArray(Float.self) == [1, 0, 0, 0, 1, 1, 1, 0])
        let values = try withNoGrad { try model.diffusionLogProbs(part).logProbs.toArray(Double.self) }
        #expect(Swift.abs(values[0] - (try reference(1)[0])) < 1e-4)
    }

    /// Rows taken in another order (an epoch's reshuffle) score as those rows did in place.
    @Test func reorderedRowsScoreAsInPlace() throws {
        let whole = try batch(), part = try whole.rows([2, 0])
        #expect(part.rows == 2 && part.promptWidth == 6 && part.completionWidth == 4)
        let (all, picked) = try withNoGrad {
            (try model.diffusionLogProbs(whole).logProbs.toArray(Double.self), try model.diffusionLogProbs(part).logProbs.toArray(Double.self))
        }
        let mask = try part.mask.toArray(Float.self)
        for (k, row) in [2, 0].enumerated() {
            for t in 0..<4 where mask[k * 4 + t] == 1 { #expect(Swift.abs(picked[k * 4 + t] - all[row * 4 + t]) < 1e-5) }
        }
        #expect(throws: ModelError.self) { try whole.rows([3]) }
    }

    @Test func mismatchedInputsAreRefused() throws {
        #expect(throws: ModelError.self) {
            _ = try DiffusionCompletionBatch(prompts: prompts, completions: completions, promptMasks: [[true], [true, false], [true]],
                                             maskTokenID: tinyMaskID, padTokenID: 0)
        }
        let otherMask = try DiffusionCompletionBatch(prompts: prompts, completions: completions, promptMasks: promptMasks,
                                                     maskTokenID: 60, padTokenID: 0)
        #expect(throws: ModelError.self) { _ = try model.diffusionLogProbs(otherMask) }
    }
}
