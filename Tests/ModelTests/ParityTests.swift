import Foundation
import Testing
@testable import Engine
@testable import Models

/// `shared/parity/tiny-qwen2` next to the package root, when it is checked out.
let parityFolder: URL? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("../shared/parity/tiny-qwen2").standardizedFileURL
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("reference.json").path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}()

@Suite(.enabled(if: parityFolder != nil, "needs ../shared/parity/tiny-qwen2"))
struct Qwen2ParityTests {
    struct Reference: Decodable {
        let sequences: [[Int]]
    }

    func load() throws -> (Transformer, Reference, SafeTensorsFile) {
        let folder = try #require(parityFolder)
        let model = try Transformer(folder: folder)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let logits = try SafeTensorsFile(url: folder.appendingPathComponent("reference_logits.safetensors"))
        return (model, reference, logits)
    }

    /// max |a - b| / max(1, max |b|)
    func relativeError(_ a: Tensor, _ b: Tensor) throws -> Double {
        let difference = try (a - b).abs().max().item()
        return difference / Swift.max(1, try b.abs().max().item())
    }

    @Test func logitsMatchTransformers() throws {
        let (model, reference, expected) = try load()
        #expect(model.configuration.ropeTheta == 1_000_000)
        #expect(model.head == nil, "tied embeddings")
        for (i, ids) in reference.sequences.enumerated() {
            let tokens = try Tensor(ids.map(Int64.init), shape: [1, ids.count])
            let logits = try withNoGrad { try model(tokens).squeeze(0) }
            let error = try relativeError(logits, expected.tensor("logits_\(i)"))
            #expect(error < 1e-4, "sequence \(i) (\(ids.count) tokens): relative error \(error)")
        }
    }

    @Test func cachedDecodingMatchesFullForward() throws {
        let (model, reference, _) = try load()
        let ids = try #require(reference.sequences.max { $0.count < $1.count })
        let tokens = try Tensor(ids.map(Int64.init), shape: [1, ids.count])
        try withNoGrad {
            let full = try model(tokens)
            let cache = try model.makeCache(batch: 1, capacity: ids.count)
            let split = ids.count / 2
            let first = try model(tokens.slice(dim: 1, start: 0, end: split), cache: cache)
            var steps = [first]
            for position in split..<ids.count {
                steps.append(try model(tokens.slice(dim: 1, start: position, end: position + 1), cache: cache))
            }
            #expect(try relativeError(Tensor.cat(steps, dim: 1), full) < 1e-4)
        }
    }

    @Test func leftPaddedBatchMatchesSingleSequences() throws {
        let (model, reference, _) = try load()
        let sequences = Array(reference.sequences.filter { $0.count > 2 }.prefix(3))
        let width = sequences.map(\.count).max()!
        // Left padding: pad id 0, masked out of attention; positions count real tokens only.
        var ids: [Int64] = [], positions: [Int64] = [], valid: [Bool] = []
        for sequence in sequences {
            let pad = width - sequence.count
            ids += Array(repeating: 0, count: pad) + sequence.map(Int64.init)
            positions += Array(repeating: 0, count: pad) + (0..<sequence.count).map(Int64.init)
            valid += Array(repeating: false, count: pad) + Array(repeating: true, count: sequence.count)
        }
        let b = sequences.count
        try withNoGrad {
            let keys = try Tensor(valid, shape: [b, 1, 1, width])
            let causal = try Transformer.causalMask(queries: width, keys: width, device: .cpu)
            let diagonal = try Tensor.ones([width, width], dtype: .bool).tril(0).logicalAnd(
                Tensor.ones([width, width], dtype: .bool).triu(0)).unsqueeze(0).unsqueeze(0)
            // Padded query rows attend to themselves only, so no row is all-masked.
            let mask = try causal.logicalAnd(keys).logicalOr(diagonal)
            let batched = try model(Tensor(ids, shape: [b, width]), positions: Tensor(positions, shape: [b, width]), mask: mask)
            for (row, sequence) in sequences.enumerated() {
                let single = try model(Tensor(sequence.map(Int64.init), shape: [1, sequence.count])).squeeze(0)
                let part = try batched.select(dim: 0, index: row).slice(dim: 0, start: width - sequence.count)
                #expect(try relativeError(part, single) < 1e-4, "row \(row)")
            }
        }
    }

    @Test func missingTensorsAreListed() throws {
        let folder = try #require(parityFolder)
        var configuration = try ModelConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        configuration.layers = 3
        configuration.tieWordEmbeddings = false
        let source = try WeightSource.checkpoint(folder: folder, dtype: .float32, device: .cpu)
        #expect {
            _ = try Transformer(configuration: configuration, weights: source)
        } throws: { error in
            let text = "\(error)"
            return text.contains("missing model.layers.2.self_attn.q_proj.weight") && text.contains("missing lm_head.weight")
        }
    }
}
