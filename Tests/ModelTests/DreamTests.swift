import Foundation
import Testing
@testable import Engine
@testable import Models

/// Dream-style masked diffusion: bidirectional, with the causal model's shift kept (the output
/// at position i predicts the token at i + 1), written and read as Dream's config.json.
struct DreamTests {
    let model: Transformer
    let prompts = ScoredRows.prompts, completions = ScoredRows.completions

    /// The twin of a tiny causal Llama (4 heads, 2 key/value heads, tied embeddings) of 63 ids:
    /// its mask is id 63, `tinyMaskID`.
    init() throws {
        let causal = ModelConfiguration(modelType: "llama", hiddenSize: 32, layers: 2, attentionHeads: 4, keyValueHeads: 2,
                                        intermediateSize: 48, maxPositions: 64, vocabularySize: 63, tieWordEmbeddings: true,
                                        eosTokenIDs: [62])
        model = try Transformer(configuration: .dream(adapting: causal),
                                weights: .random(generator: Generator(seed: 3), std: 0.3, dtype: .float32, device: .cpu))
    }

    @Test func theTwinIsBidirectionalWithTheMaskAfterTheVocabulary() {
        let c = model.configuration
        #expect(c.maskedDiffusion && c.shiftedPrediction)
        #expect(c.maskTokenID == 63 && c.vocabularySize == 64)
        #expect(c.keyValueHeads == 2 && c.tieWordEmbeddings)
    }

    /// d1's one-step estimate reads completion position k's log-prob from the output one
    /// position earlier: at the last prompt token for k = 0.
    @Test func logProbsAreReadOnePositionEarlier() throws {
        let batch = try ScoredRows.batch()
        try withNoGrad {
            let values = try model.diffusionLogProbs(batch).logProbs.toArray(Double.self)
            for row in 0..<3 {
                let ids = ScoredRows.maskedSequence(row)
                let logProbs = try NN.logSoftmax(model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).squeeze(0), dim: -1)
                for (k, token) in completions[row].enumerated() {
                    let expected = try logProbs.select(dim: 0, index: prompts[row].count + k - 1).select(dim: 0, index: token).item()
                    #expect(Swift.abs(values[row * 4 + k] - expected) < 1e-4, "row \(row) token \(k)")
                }
            }
        }
    }

    /// Greedy decoding of one position commits the argmax (mask excluded) of the last prompt
    /// token's output.
    @Test func decodingPredictsEachPositionFromTheOneBefore() throws {
        let prompt = [5, 9, 12, 7]
        let options = DiffusionSamplingOptions(generationLength: 1, blockLength: 1, steps: 1, temperature: 0)
        let generated = try model.generateByUnmasking(prompts: [prompt], options: options, generator: Generator(seed: 1))
        let ids = prompt + [63]
        let logits = try withNoGrad { try model(Tensor(ids.map(Int64.init), shape: [1, ids.count])).squeeze(0) }
        let previous = try logits.select(dim: 0, index: prompt.count - 1).toArray(Double.self)
        let expected = previous.indices.dropLast().max { previous[$0] < previous[$1] }!
        #expect(generated.rawTokens == [[expected]])
        let own = try logits.select(dim: 0, index: prompt.count).toArray(Double.self)
        #expect(own.indices.dropLast().max { own[$0] < own[$1] }! != expected, "the test needs the two positions to disagree")
    }

    /// A prompt's first token has nothing before it to predict it: it counts as certain, also
    /// after left padding; the others are the top probability of the output before them.
    @Test func promptConfidenceOfTheFirstTokenIsOne() throws {
        let batch = try ScoredRows.batch()
        let confidence = try withNoGrad { try model.promptConfidence(batch) }
        #expect(confidence.shape == [3, 6])
        let values = try confidence.toArray(Double.self)
        for (row, prompt) in prompts.enumerated() {
            let first = 6 - prompt.count
            #expect(values[row * 6 + first] == 1)
            #expect(values[(row * 6 + first + 1)..<(row * 6 + 6)].allSatisfy { $0 > 0 && $0 < 1 })
        }
    }

    @Test func savedFoldersAreDreamFoldersThatLoadTheSame() throws {
        let folder = temporaryFolder("dream")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json")))
            as? [String: Any])
        #expect(json["model_type"] as? String == "Dream" && json["mask_token_id"] as? Int == 63)
        #expect(json["attention_bias"] as? Bool == false)
        let loaded = try Transformer(folder: folder, device: .cpu)
        #expect(loaded.configuration.shiftedPrediction && loaded.configuration.maskTokenID == 63)
        let tokens = try Tensor([Int64(5), 17, 63, 2, 40, 63], shape: [1, 6])
        let difference = try withNoGrad { try (model(tokens) - loaded(tokens)).abs().max().item() }
        #expect(difference == 0)
    }

    /// Dream-7B's config.json has Qwen2's fields, no attention_bias (Qwen2 always has q/k/v
    /// biases) and its mask token.
    @Test func dreamConfigurationsReadQwen2FieldsAndTheMask() throws {
        var json: [String: Any] = [
            "model_type": "Dream", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "num_key_value_heads": 2, "intermediate_size": 48, "vocab_size": 64, "rope_theta": 1_000_000.0,
            "mask_token_id": 63, "tie_word_embeddings": false,
        ]
        let c = try ModelConfiguration(json: json, file: "config.json")
        #expect(c.modelType == "dream" && c.maskedDiffusion && c.shiftedPrediction && c.attentionBias && c.maskTokenID == 63)
        json["mask_token_id"] = nil
        #expect { try ModelConfiguration(json: json, file: "dream/config.json") } throws: { "\($0)".contains("mask_token_id") }
        json["mask_token_id"] = 64
        #expect { try ModelConfiguration(json: json, file: "dream/config.json") } throws: { "\($0)".contains("outside") }
    }
}
