import Foundation
import Testing
@testable import Engine
@testable import Models

/// Generation prefills each distinct prompt once and repeats its cache rows for the prompt's
/// other completions: every row samples what it would have sampled alone.
struct SharedPrefillTests {
    let model: Transformer
    init() throws {
        let configuration = ModelConfiguration(modelType: "qwen2", hiddenSize: 32, layers: 2, attentionHeads: 4, keyValueHeads: 2,
                                               intermediateSize: 64, vocabularySize: 40, attentionBias: true)
        model = try Transformer(configuration: configuration,
                                weights: .random(generator: Generator(seed: 4), std: 0.3, dtype: .float32, device: .cpu))
    }

    @Test func repeatedPromptsSampleAsEachRowAlone() throws {
        // A group of three, one of two, and a lone prompt of another length; stop token 7 ends some rows early.
        let prompts = [[5, 9, 2, 7], [5, 9, 2, 7], [5, 9, 2, 7], [11, 3], [11, 3], [20, 21, 22, 23, 24, 25]]
        let options = SamplingOptions(temperature: 1, maxNewTokens: 10, stopTokenIDs: [7])
        let together = try model.generate(prompts: prompts, options: options, generator: Generator(seed: 9),
                                          noise: SamplingNoise(generator: Generator(seed: 9), totalRows: prompts.count))
        for (row, prompt) in prompts.enumerated() {
            let alone = try model.generate(prompts: [prompt], options: options, generator: Generator(seed: 9),
                                           noise: SamplingNoise(generator: Generator(seed: 9), offset: row, totalRows: prompts.count))
            #expect(alone.tokens[0] == together.tokens[row], "row \(row)")
            #expect(alone.stopReasons[0] == together.stopReasons[row], "row \(row)")
            for (a, b) in zip(alone.logProbs[0], together.logProbs[row]) { #expect(Swift.abs(a - b) < 1e-5, "row \(row)") }
        }
        // The group's rows drew different noise, so they do not all repeat one completion.
        #expect(Set(together.tokens[0..<3]).count > 1)
    }
}
