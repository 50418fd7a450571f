import Testing
@testable import Core
@testable import Engine
@testable import Models

/// The built-in masked-diffusion twin starts from the causal warm start's weights (Dream's
/// recipe): the same tensors, and a mask-token embedding that is the mean of the others.
@Suite struct BuiltInTwinTests {
    @Test func theTwinHoldsTheCausalWeightsAndAMeanMaskEmbedding() throws {
        let causal = try Transformer(configuration: BuiltInPolicy.configuration,
                                     weights: .random(generator: Generator(seed: 4), std: 0.1, dtype: .float32, device: .cpu))
        let twin = try BuiltInPolicy.adaptedTwin(of: causal, shape: BuiltInPolicy.diffusionConfiguration)
        #expect(twin.configuration == BuiltInPolicy.diffusionConfiguration)
        let source = Dictionary(uniqueKeysWithValues: causal.parameters())
        let vocabulary = BuiltInPolicy.configuration.vocabularySize
        for (name, tensor) in twin.parameters() {
            let original = try #require(source[name], "\(name)")
            if name == "model.embed_tokens.weight" {
                #expect(tensor.shape == [vocabulary + 1, original.size(1)])
                #expect(try (tensor.slice(dim: 0, start: 0, end: vocabulary) - original).abs().max().item() == 0)
                let mask = try tensor.select(dim: 0, index: vocabulary)
                #expect(try (mask - original.mean(dim: 0)).abs().max().item() < 1e-7)
            } else {
                #expect(try (tensor - original).abs().max().item() == 0, "\(name)")
            }
        }
    }

    @Test func aWeightOfAnotherShapeIsRefusedByName() throws {
        var wider = BuiltInPolicy.configuration
        wider.intermediateSize += 8
        let causal = try Transformer(configuration: BuiltInPolicy.configuration,
                                     weights: .random(generator: Generator(seed: 4), dtype: .float32, device: .cpu))
        #expect { try BuiltInPolicy.adaptedTwin(of: causal, shape: .dream(adapting: wider)) } throws: {
            "\($0)".contains("mlp") && "\($0)".contains("causal warm start")
        }
    }
}
