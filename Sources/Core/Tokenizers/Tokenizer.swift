/// What the rest of rlrun needs from a tokenizer, whichever kind backs a model: the Hugging Face
/// byte-level BPE of real checkpoints or the character tokenizer of the built-in toy model.
///
/// `encode` never inserts special tokens by itself (no BOS, no EOS): prompts are built as text by a
/// `ChatTemplate`, and any special token written in that text (`<|im_start|>`, …) is matched
/// literally, exactly as Hugging Face `tokenizers` does with `add_special_tokens=False`.
public protocol Tokenizer: Sendable {
    /// Token ids for `text`, with added/special tokens written in the text recognised as such.
    func encode(_ text: String) throws -> [Int]
    /// The text for `ids`; ids the tokenizer does not know are dropped, as Hugging Face does.
    /// With `skipSpecialTokens`, special tokens (EOS, pad, chat markers) are left out.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// One more than the largest id this tokenizer can produce: the smallest embedding that fits.
    var vocabularySize: Int { get }
    /// Ids that end a generation (a model may have several, e.g. `<|im_end|>` and `<|endoftext|>`).
    var eosTokenIDs: Set<Int> { get }
    var padTokenID: Int? { get }
    var bosTokenID: Int? { get }
    /// The id of a token given in its vocabulary spelling (for byte-level BPE, `Ġ` for a space).
    func id(of token: String) -> Int?
    /// The vocabulary spelling of `id`, or `nil` if no token has that id.
    func token(of id: Int) -> String?
}

extension Tokenizer {
    /// Decodes keeping special tokens, so that the text shows everything the ids say.
    public func decode(_ ids: [Int]) -> String {
        decode(ids, skipSpecialTokens: false)
    }
}
