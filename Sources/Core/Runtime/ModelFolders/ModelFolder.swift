import Engine
import Foundation
import Models
import Tokenizers

/// A model folder opened for use: the transformer, its tokenizer and its prompt format.
/// Hugging Face folders use their tokenizer.json; folders written by rlrun for the built-in
/// policy carry the character tokenizer.
public struct ModelFolder {
    public let url: URL
    public let model: Transformer
    public let tokenizer: any Tokenizer
    public let template: ChatTemplate

    public init(_ url: URL, dtype: DType = .float32, weightDType: DType? = nil, device: Device = .cpu) throws {
        self.url = url
        model = try Transformer(folder: url, dtype: dtype, weightDType: weightDType, device: device)
        let tokenizerFile = url.appendingPathComponent("tokenizer.json")
        if let character = try? CharacterTokenizer(jsonData: Data(contentsOf: tokenizerFile)) {
            tokenizer = character
            template = .plain()
        } else {
            let bpe = try BPETokenizer(modelFolder: url)
            tokenizer = bpe
            template = .automatic(for: bpe)
        }
    }

    /// Ids that end a completion: the tokenizer's EOS, the model's, and the chat template's end of turn.
    public var stopTokenIDs: Set<Int> {
        var ids = tokenizer.eosTokenIDs.union(model.configuration.eosTokenIDs)
        if let end = template.endOfTurn, let id = tokenizer.id(of: end) { ids.insert(id) }
        return ids
    }
}
