import Foundation
@testable import Engine
@testable import Models

/// The mask and end-of-text ids of `tinyDiffusionModel`'s 64-token vocabulary.
let tinyMaskID = 63
let tinyEOS = 62

/// A tiny masked-diffusion model with random weights, spread wide enough (std 0.3) that its
/// predictions and confidences are not near-ties that rounding could flip.
func tinyDiffusionModel(seed: UInt64 = 0) throws -> Transformer {
    let configuration = try ModelConfiguration.smallMaskedDiffusion(
        vocabularySize: 64, maskTokenID: tinyMaskID, eosTokenIDs: [tinyEOS], hiddenSize: 32, layers: 2,
        attentionHeads: 4, maxPositions: 64)
    return try Transformer(configuration: configuration,
                           weights: .random(generator: Generator(seed: seed), std: 0.3, dtype: .float32, device: .cpu))
}

/// A fresh folder under the temporary directory; the caller removes it.
func temporaryFolder(_ prefix: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
}
