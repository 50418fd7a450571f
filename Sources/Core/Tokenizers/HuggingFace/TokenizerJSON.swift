/// The parts of a Hugging Face `tokenizer.json` that encoding and decoding need, decoded as
/// written. Each component keeps its `type` so that `TokenizerPipelineBuilder` can name exactly what
/// is unsupported instead of failing with a generic decoding error. `truncation`, `padding` and
/// `post_processor` are not read: rlrun never inserts special tokens on its own.
struct TokenizerJSON: Decodable {
    var addedTokens: [AddedToken]
    var normalizer: NormalizerSpec?
    var preTokenizer: PreTokenizerSpec?
    var model: ModelSpec
    var decoder: DecoderSpec?

    private enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens"
        case normalizer
        case preTokenizer = "pre_tokenizer"
        case model
        case decoder
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        addedTokens = try container.decodeIfPresent([AddedToken].self, forKey: .addedTokens) ?? []
        normalizer = try container.decodeIfPresent(NormalizerSpec.self, forKey: .normalizer)
        preTokenizer = try container.decodeIfPresent(PreTokenizerSpec.self, forKey: .preTokenizer)
        model = try container.decode(ModelSpec.self, forKey: .model)
        self.decoder = try container.decodeIfPresent(DecoderSpec.self, forKey: .decoder)
    }
}

struct NormalizerSpec: Decodable {
    var type: String
    var normalizers: [NormalizerSpec]?
}

struct PreTokenizerSpec: Decodable {
    var type: String
    var pattern: PatternSpec?
    var behavior: String?
    var invert: Bool?
    var addPrefixSpace: Bool?
    var useRegex: Bool?
    var individualDigits: Bool?
    var pretokenizers: [PreTokenizerSpec]?

    private enum CodingKeys: String, CodingKey {
        case type, pattern, behavior, invert, pretokenizers
        case addPrefixSpace = "add_prefix_space"
        case useRegex = "use_regex"
        case individualDigits = "individual_digits"
    }
}

/// `{"Regex": "…"}` or `{"String": "…"}`.
struct PatternSpec: Decodable {
    var regex: String?
    var string: String?

    private enum CodingKeys: String, CodingKey {
        case regex = "Regex"
        case string = "String"
    }
}

struct DecoderSpec: Decodable {
    var type: String
    var decoders: [DecoderSpec]?
}

/// The `model` object. Vocabulary and merges are only decoded for BPE, so a Unigram or WordPiece
/// file is reported as an unsupported model type rather than as malformed JSON.
struct ModelSpec: Decodable {
    var type: String?
    var vocab: [String: Int] = [:]
    /// In rank order. Both spellings in files: `"Ġ t"` (tokenizers before 0.20) and `["Ġ", "t"]`
    /// (0.20 on, which allows tokens containing spaces).
    var merges: [(String, String)] = []
    var unkToken: String?
    var continuingSubwordPrefix: String?
    var endOfWordSuffix: String?
    var fuseUnk: Bool?
    var byteFallback: Bool?
    var ignoreMerges: Bool?

    private enum CodingKeys: String, CodingKey {
        case type, vocab, merges
        case unkToken = "unk_token"
        case continuingSubwordPrefix = "continuing_subword_prefix"
        case endOfWordSuffix = "end_of_word_suffix"
        case fuseUnk = "fuse_unk"
        case byteFallback = "byte_fallback"
        case ignoreMerges = "ignore_merges"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        guard type == nil || type == "BPE" else { return }
        vocab = try container.decode([String: Int].self, forKey: .vocab)
        merges = try Self.merges(in: container)
        unkToken = try container.decodeIfPresent(String.self, forKey: .unkToken)
        continuingSubwordPrefix = try container.decodeIfPresent(String.self, forKey: .continuingSubwordPrefix)
        endOfWordSuffix = try container.decodeIfPresent(String.self, forKey: .endOfWordSuffix)
        fuseUnk = try container.decodeIfPresent(Bool.self, forKey: .fuseUnk)
        byteFallback = try container.decodeIfPresent(Bool.self, forKey: .byteFallback)
        ignoreMerges = try container.decodeIfPresent(Bool.self, forKey: .ignoreMerges)
    }

    /// Decodes the whole list in one spelling, then the other: trying each element both ways
    /// would throw and catch an error per merge, which dominated loading 150k-merge files.
    private static func merges(in container: KeyedDecodingContainer<CodingKeys>) throws -> [(String, String)] {
        if let pairs = try? container.decodeIfPresent([[String]].self, forKey: .merges) {
            return try pairs.enumerated().map { index, pair in
                guard pair.count == 2 else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: container.codingPath + [CodingKeys.merges, IndexKey(index)],
                        debugDescription: "merge has \(pair.count) tokens, not 2"))
                }
                return (pair[0], pair[1])
            }
        }
        let lines = try container.decodeIfPresent([String].self, forKey: .merges) ?? []
        return try lines.enumerated().map { index, line in
            // Hugging Face splits on every space and wants exactly two parts.
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.merges, IndexKey(index)],
                    debugDescription: "merge \"\(line)\" is not two tokens separated by one space"))
            }
            return (String(parts[0]), String(parts[1]))
        }
    }

    private struct IndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { String(intValue ?? 0) }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}
