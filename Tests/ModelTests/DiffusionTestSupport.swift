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

/// Three rows of unequal prompt and completion lengths with some prompt positions masked, as
/// d1's one-step estimate scores them (mask `tinyMaskID`, padding 0): the scoring tests' inputs.
enum ScoredRows {
    static let prompts = [[5, 9, 12, 7], [3, 4], [20, 21, 22, 23, 24, 25]]
    static let completions = [[30, 31, 62, 40], [41], [42, 43, 44]]
    static let promptMasks = [[false, true, false, true], [true, false], [false, false, true, false, false, false]]

    static func batch(stopTokenIDs: Set<Int> = []) throws -> DiffusionCompletionBatch {
        try DiffusionCompletionBatch(prompts: prompts, completions: completions, promptMasks: promptMasks,
                                     maskTokenID: tinyMaskID, padTokenID: 0, stopTokenIDs: stopTokenIDs)
    }

    /// Row `row`'s x' without padding: its prompt with the chosen positions masked, then one
    /// mask per completion token.
    static func maskedSequence(_ row: Int) -> [Int] {
        zip(prompts[row], promptMasks[row]).map { $1 ? tinyMaskID : $0 } + Array(repeating: tinyMaskID, count: completions[row].count)
    }
}
