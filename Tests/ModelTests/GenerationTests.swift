import Foundation
import Testing
@testable import Engine
@testable import Models

@Suite(.enabled(if: parityFolder != nil, "needs ../shared/parity/tiny-qwen2"))
struct GenerationTests {
    let model: Transformer
    let prompts = [[412, 300, 223, 70], [53, 74], [306, 266, 43, 9, 78, 78, 369]]

    init() throws { model = try Transformer(folder: try #require(parityFolder)) }

    /// Greedy continuation of one prompt by full forward passes, no cache, no batching.
    func referenceGreedy(_ prompt: [Int], steps: Int) throws -> (tokens: [Int], logProbs: [Float]) {
        var ids = prompt
        var logProbs: [Float] = []
        try withNoGrad {
            for _ in 0..<steps {
                let logits = try model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).select(dim: 1, index: ids.count - 1)
                let next = try logits.argmax(dim: -1).itemInt()
                logProbs.append(Float(try NN.logSoftmax(logits, dim: -1).select(dim: 1, index: next).item()))
                ids.append(next)
            }
        }
        return (Array(ids.dropFirst(prompt.count)), logProbs)
    }

    @Test func greedyBatchMatchesUnbatchedFullForward() throws {
        let result = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 6, stopTokenIDs: []),
                                        generator: Generator(seed: 0))
        for (i, prompt) in prompts.enumerated() {
            let expected = try referenceGreedy(prompt, steps: 6)
            #expect(result.tokens[i] == expected.tokens, "prompt \(i)")
            for (a, b) in zip(result.logProbs[i], expected.logProbs) { #expect(Swift.abs(a - b) < 1e-4) }
            #expect(result.stopReasons[i] == .length)
        }
    }

    @Test func topKOfOneIsGreedy() throws {
        let sampled = try model.generate(prompts: prompts, options: SamplingOptions(temperature: 0.7, topK: 1, maxNewTokens: 5),
                                         generator: Generator(seed: 3))
        let greedy = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 5, stopTokenIDs: []),
                                        generator: Generator(seed: 3))
        #expect(sampled.tokens == greedy.tokens)
    }

    @Test func samplingIsReproducibleFromTheSeed() throws {
        let options = SamplingOptions(temperature: 1.0, topP: 0.9, maxNewTokens: 8)
        let a = try model.generate(prompts: prompts, options: options, generator: Generator(seed: 42))
        let b = try model.generate(prompts: prompts, options: options, generator: Generator(seed: 42))
        let c = try model.generate(prompts: prompts, options: options, generator: Generator(seed: 43))
        #expect(a.tokens == b.tokens)
        #expect(a.logProbs == b.logProbs)
        #expect(a.tokens != c.tokens)
        for row in a.logProbs { #expect(row.allSatisfy { $0 <= 0 && $0.isFinite }) }
    }

    @Test func sampledLogProbsAreThoseOfTheTemperatureScaledPolicy() throws {
        let prompt = prompts[0]
        let result = try model.generate(prompts: [prompt], options: SamplingOptions(temperature: 0.5, maxNewTokens: 4),
                                        generator: Generator(seed: 7))
        let ids = prompt + result.tokens[0]
        try withNoGrad {
            let logits = try model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).squeeze(0) / 0.5
            let targets = try Tensor(Array(ids.dropFirst(prompt.count)).map(Int64.init))
            let expected = try NN.tokenLogProbs(logits: logits.slice(dim: 0, start: prompt.count - 1, end: ids.count - 1),
                                                targets: targets).toArray(Float.self)
            for (a, b) in zip(result.logProbs[0], expected) { #expect(Swift.abs(a - b) < 1e-4) }
        }
    }

    @Test func stopTokensAndConditionsEndRowsIndependently() throws {
        let free = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 6, stopTokenIDs: []),
                                      generator: Generator(seed: 0))
        // Stop prompt 0 at its third greedy token; others run on and must be unchanged.
        let stopToken = free.tokens[0][2]
        let stopped = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 6, stopTokenIDs: [stopToken]),
                                         generator: Generator(seed: 0))
        let firstStop = free.tokens[0].firstIndex(of: stopToken)!
        #expect(stopped.tokens[0] == Array(free.tokens[0].prefix(firstStop + 1)))
        #expect(stopped.stopReasons[0] == .stopToken)
        for i in 1..<prompts.count {
            if let index = free.tokens[i].firstIndex(of: stopToken) {
                #expect(stopped.tokens[i] == Array(free.tokens[i].prefix(index + 1)))
            } else {
                #expect(stopped.tokens[i] == free.tokens[i])
                #expect(stopped.stopReasons[i] == .length)
            }
        }
        let conditioned = try model.generate(prompts: prompts, options: .greedy(maxNewTokens: 6, stopTokenIDs: []),
                                             generator: Generator(seed: 0)) { $0.count == 2 }
        #expect(conditioned.tokens.allSatisfy { $0.count == 2 })
        #expect(conditioned.stopReasons.allSatisfy { $0 == .stopCondition })
    }

    @Test func promptsLongerThanTheModelAreRefused() throws {
        #expect(throws: ModelError.self) {
            _ = try model.generate(prompts: [[1, 2, 3]], options: .greedy(maxNewTokens: 10_000, stopTokenIDs: []),
                                   generator: Generator(seed: 0))
        }
    }
}
