import Foundation
import Testing
@testable import Engine

/// `NN.sampleInverseCDF`: the first token whose cumulative probability reaches u.
@Suite struct SamplingKernelTests {
    /// Logits of probabilities [0.1, 0.2, 0.3, 0.4] (log p, shifted to show the softmax).
    let logits: Tensor = try! Tensor([0.1, 0.2, 0.3, 0.4].map { Float(Foundation.log($0) + 2) }, shape: [1, 4])

    func pick(_ logits: Tensor, _ u: Double) throws -> (Int, Float) {
        let (tokens, logProbs) = try NN.sampleInverseCDF(logits: logits, uniforms: Tensor([u], shape: [1]))
        return (try tokens.toArray(Int.self)[0], try logProbs.toArray(Float.self)[0])
    }

    @Test(arguments: [(0.05, 0), (0.1, 0), (0.11, 1), (0.29, 1), (0.31, 2), (0.6, 2), (0.61, 3), (1.0, 3)])
    func picksTheFirstTokenWhoseCumulativeProbabilityReachesU(u: Double, token: Int) throws {
        let (picked, logProb) = try pick(logits, u)
        #expect(picked == token, "u = \(u)")
        #expect(abs(Double(logProb) - Foundation.log([0.1, 0.2, 0.3, 0.4][token])) < 1e-5)
    }

    @Test func neverPicksATokenOfProbabilityZero() throws {
        let masked = try Tensor([-Float.infinity, 0, -Float.infinity, 0, -Float.infinity], shape: [1, 5])
        for u in [1e-12, 0.5, 0.5000001, 1.0] {
            let (picked, logProb) = try pick(masked, u)
            #expect(picked == (u <= 0.5 ? 1 : 3), "u = \(u)")
            #expect(abs(Double(logProb) - Foundation.log(0.5)) < 1e-6)
        }
    }

    @Test func eachRowUsesItsOwnUniform() throws {
        let reversed = try Tensor([0.4, 0.3, 0.2, 0.1].map { Float(Foundation.log($0)) }, shape: [1, 4])
        let rows = try Tensor.cat([logits, reversed], dim: 0)
        let (tokens, _) = try NN.sampleInverseCDF(logits: rows, uniforms: Tensor([0.2, 0.2], shape: [2]))
        #expect(try tokens.toArray(Int.self) == [1, 0], "u = 0.2: token 1 of [0.1, 0.2, ...], token 0 of [0.4, ...]")
    }

    @Test func frequenciesFollowTheDistribution() throws {
        let g = try Generator(seed: 11)
        let count = 20_000
        let uniforms = try (1 - Tensor.rand([count], generator: g).to(.float64))  // (0, 1]
        let (tokens, _) = try NN.sampleInverseCDF(logits: logits.expand([count, 4]), uniforms: uniforms)
        let picked = try tokens.toArray(Int.self)
        for (token, p) in [0.1, 0.2, 0.3, 0.4].enumerated() {
            let share = Double(picked.filter { $0 == token }.count) / Double(count)
            #expect(abs(share - p) < 0.015, "token \(token): \(share) of draws, probability \(p)")
        }
    }

    @Test func aRowCountMismatchIsAnError() throws {
        #expect(throws: TorchError.self) { try NN.sampleInverseCDF(logits: logits, uniforms: Tensor([0.5, 0.5], shape: [2])) }
    }
}
