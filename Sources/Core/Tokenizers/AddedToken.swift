/// A token declared in `added_tokens` of a `tokenizer.json`: chat markers, EOS, tool tags. They are
/// found in the text before anything else and never go through normalisation or BPE.
public struct AddedToken: Sendable, Equatable, Hashable, Codable {
    public var id: Int
    public var content: String
    /// Special tokens are left out by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
    /// Swallow the whitespace before / after the token.
    public var lstrip: Bool
    public var rstrip: Bool
    /// Only match when not inside a word.
    public var singleWord: Bool
    /// Match against the normalised text rather than the raw input.
    public var normalized: Bool

    public init(id: Int, content: String, special: Bool, lstrip: Bool = false, rstrip: Bool = false,
                singleWord: Bool = false, normalized: Bool? = nil) {
        self.id = id
        self.content = content
        self.special = special
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.singleWord = singleWord
        // Hugging Face's default: special tokens match the raw text, others the normalised text.
        self.normalized = normalized ?? !special
    }

    private enum CodingKeys: String, CodingKey {
        case id, content, special, lstrip, rstrip, normalized
        case singleWord = "single_word"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let special = try container.decodeIfPresent(Bool.self, forKey: .special) ?? false
        self.init(
            id: try container.decode(Int.self, forKey: .id),
            content: try container.decode(String.self, forKey: .content),
            special: special,
            lstrip: try container.decodeIfPresent(Bool.self, forKey: .lstrip) ?? false,
            rstrip: try container.decodeIfPresent(Bool.self, forKey: .rstrip) ?? false,
            singleWord: try container.decodeIfPresent(Bool.self, forKey: .singleWord) ?? false,
            normalized: try container.decodeIfPresent(Bool.self, forKey: .normalized))
    }
}
