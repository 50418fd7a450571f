import Engine
import Models
import RLRunSDK
import Tokenizers

/// The model being trained together with how text becomes its tokens: the tokenizer, the
/// prompt format (chat template or plain), and the ids that end a completion.
public final class Policy {
    public let model: Transformer
    public let tokenizer: any Tokenizer
    public let formatPrompt: @Sendable (DatasetItem) -> String
    public let stopTokenIDs: Set<Int>
    public let padTokenID: Int

    public init(model: Transformer, tokenizer: any Tokenizer, formatPrompt: @escaping @Sendable (DatasetItem) -> String) throws {
        guard !tokenizer.eosTokenIDs.isEmpty else {
            throw ModelError("the tokenizer names no end-of-sequence token; completions could never stop")
        }
        guard tokenizer.vocabularySize <= model.configuration.vocabularySize else {
            throw ModelError("the tokenizer has \(tokenizer.vocabularySize) tokens, the model's embedding only \(model.configuration.vocabularySize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.formatPrompt = formatPrompt
        stopTokenIDs = tokenizer.eosTokenIDs.union(model.configuration.eosTokenIDs)
        padTokenID = tokenizer.padTokenID ?? tokenizer.eosTokenIDs.min()!
    }

    public func promptTokens(_ item: DatasetItem) throws -> [Int] { try tokenizer.encode(formatPrompt(item)) }

    /// The completion's text without the stop token and special tokens.
    public func completionText(_ ids: [Int]) -> String { tokenizer.decode(ids, skipSpecialTokens: true) }
}
