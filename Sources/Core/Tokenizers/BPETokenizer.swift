import Foundation

/// Byte-level BPE as Hugging Face `tokenizers` runs it for Qwen2, Llama 3 and GPT-2 style
/// `tokenizer.json` files, so that ids match the ones a checkpoint was trained on exactly.
///
/// Encoding follows Hugging Face's order: added tokens are cut out of the raw text first (longest
/// match at the leftmost position), the rest is normalised, tokens that match normalised text are
/// cut out next, then the pre-tokenizer splits words, and BPE merges within each word. Nothing is
/// added around the result. Safe to share between threads; each word's merges are cached.
public final class BPETokenizer: Tokenizer {
    /// The `added_tokens` of the file, in file order.
    public let addedTokens: [AddedToken]
    public let vocabularySize: Int
    public let eosTokenIDs: Set<Int>
    public let padTokenID: Int?
    public let bosTokenID: Int?

    private let normalizer: TextNormalizer?
    private let preTokenizer: PreTokenizer
    private let model: BPEModel
    private let rawTokenMatcher: AddedTokenMatcher
    private let normalizedTokenMatcher: AddedTokenMatcher
    private let tokenDecoder: TokenDecoder
    private let addedTokenIDs: [String: Int]
    private let tokensByID: [String?]
    private let specialTokenIDs: Set<Int>
    /// Each id's decoded bytes, packed: id `i` is `decodedBytes[decodedOffsets[i] ..< decodedOffsets[i + 1]]`.
    private let decodedBytes: [UInt8]
    private let decodedOffsets: [Int]

    /// Loads `tokenizer.json`, and `tokenizer_config.json` and `generation_config.json` when present,
    /// from a Hugging Face model folder.
    /// - Throws: `TokenizerError` naming the file that is missing, malformed or unsupported.
    public convenience init(modelFolder: URL) throws {
        let tokenizerURL = modelFolder.appendingPathComponent("tokenizer.json")
        let configURL = modelFolder.appendingPathComponent("tokenizer_config.json")
        let generationURL = modelFolder.appendingPathComponent("generation_config.json")
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw TokenizerError.fileNotFound(path: tokenizerURL.path)
        }
        func read(_ url: URL, required: Bool) throws -> Data? {
            guard required || FileManager.default.fileExists(atPath: url.path) else { return nil }
            do {
                return try Data(contentsOf: url)
            } catch {
                throw TokenizerError.invalidFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
            }
        }
        try self.init(
            tokenizerJSON: read(tokenizerURL, required: true)!, tokenizerPath: tokenizerURL.path,
            tokenizerConfig: read(configURL, required: false), tokenizerConfigPath: configURL.path,
            generationConfig: read(generationURL, required: false), generationConfigPath: generationURL.path)
    }

    /// Builds a tokenizer from the contents of the files; `nil` for a file that does not exist.
    public convenience init(tokenizerJSON: Data, tokenizerConfig: Data? = nil, generationConfig: Data? = nil) throws {
        try self.init(
            tokenizerJSON: tokenizerJSON, tokenizerPath: "tokenizer.json",
            tokenizerConfig: tokenizerConfig, tokenizerConfigPath: "tokenizer_config.json",
            generationConfig: generationConfig, generationConfigPath: "generation_config.json")
    }

    init(tokenizerJSON: Data, tokenizerPath: String,
         tokenizerConfig: Data?, tokenizerConfigPath: String,
         generationConfig: Data?, generationConfigPath: String) throws {
        let file: TokenizerJSON
        do {
            file = try JSONDecoder().decode(TokenizerJSON.self, from: tokenizerJSON)
        } catch let error as DecodingError {
            throw TokenizerError.invalidFile(path: tokenizerPath, reason: Self.describe(error))
        }
        let builder = TokenizerPipelineBuilder(path: tokenizerPath)
        let normalizer = try builder.normalizer(file.normalizer)
        self.normalizer = normalizer
        preTokenizer = try builder.preTokenizer(file.preTokenizer)
        model = try builder.model(file.model)
        tokenDecoder = try builder.decoder(file.decoder)

        if let bad = file.addedTokens.first(where: { !BPEModel.validIDs.contains($0.id) }) {
            throw TokenizerError.invalidFile(
                path: tokenizerPath, reason: "added token \"\(bad.content)\" has id \(bad.id), outside \(BPEModel.validIDs)")
        }
        addedTokens = file.addedTokens
        rawTokenMatcher = AddedTokenMatcher(file.addedTokens.filter { !$0.normalized })
        normalizedTokenMatcher = AddedTokenMatcher(file.addedTokens.filter(\.normalized)) { token in
            normalizer?.apply(token.content) ?? token.content
        }
        var addedTokenIDs: [String: Int] = [:]
        for token in file.addedTokens where addedTokenIDs[token.content] == nil {
            addedTokenIDs[token.content] = token.id
        }
        self.addedTokenIDs = addedTokenIDs
        specialTokenIDs = Set(file.addedTokens.filter(\.special).map(\.id))

        let largestID = max(model.vocabulary.values.max() ?? -1, file.addedTokens.map(\.id).max() ?? -1)
        vocabularySize = largestID + 1
        var tokensByID = [String?](repeating: nil, count: largestID + 1)
        for (token, id) in model.vocabulary { tokensByID[id] = token }
        for token in file.addedTokens.reversed() { tokensByID[token.id] = token.content }
        self.tokensByID = tokensByID

        var decodedBytes: [UInt8] = []
        var decodedOffsets = [0]
        decodedOffsets.reserveCapacity(tokensByID.count + 1)
        for token in tokensByID {
            if let token {
                // Hugging Face's ByteLevel decoder: stand-ins back to bytes, or the token's own UTF-8
                // when any character is not a stand-in (added tokens such as "<think>\n").
                decodedBytes.append(contentsOf: ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8))
            }
            decodedOffsets.append(decodedBytes.count)
        }
        self.decodedBytes = decodedBytes
        self.decodedOffsets = decodedOffsets

        let settings = try SpecialTokenSettings(
            tokenizerConfig: tokenizerConfig, tokenizerConfigPath: tokenizerConfigPath,
            generationConfig: generationConfig, generationConfigPath: generationConfigPath)
        let vocabulary = model.vocabulary
        func lookUp(_ token: String?) -> Int? { token.flatMap { addedTokenIDs[$0] ?? vocabulary[$0] } }
        eosTokenIDs = Set(settings.eosTokenIDs + [lookUp(settings.eosToken)].compactMap { $0 })
        padTokenID = lookUp(settings.padToken) ?? settings.padTokenID
        bosTokenID = lookUp(settings.bosToken) ?? settings.bosTokenID
    }

    // MARK: - Tokenizer

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3)
        let bytes = Array(text.utf8)
        for segment in rawTokenMatcher.segments(of: bytes[...]) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let range):
                let (normalized, normalizedRange) = normalizer?.apply(bytes, range) ?? (bytes, range)
                for segment in normalizedTokenMatcher.segments(of: normalized[normalizedRange]) {
                    switch segment {
                    case .token(let id):
                        ids.append(id)
                    case .text(let range):
                        let (buffer, words) = preTokenizer.words(in: normalized, range)
                        for word in words {
                            model.encode(buffer, word, byteLevel: preTokenizer.isByteLevel, into: &ids)
                        }
                    }
                }
            }
        }
        return ids
    }

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        let kept = ids.filter { id in
            id >= 0 && id < tokensByID.count && tokensByID[id] != nil && !(skipSpecialTokens && specialTokenIDs.contains(id))
        }
        switch tokenDecoder {
        case .byteLevel:
            var bytes: [UInt8] = []
            for id in kept { bytes.append(contentsOf: decodedBytes[decodedOffsets[id] ..< decodedOffsets[id + 1]]) }
            return String(decoding: bytes, as: UTF8.self)
        case .joinWithSpaces:
            return kept.map { tokensByID[$0]! }.joined(separator: " ")
        }
    }

    public func id(of token: String) -> Int? {
        addedTokenIDs[token] ?? model.vocabulary[token]
    }

    public func token(of id: Int) -> String? {
        id >= 0 && id < tokensByID.count ? tokensByID[id] : nil
    }

    // MARK: - Inspection

    /// The words BPE sees for `text` (before the byte stand-in mapping), with added tokens left out:
    /// what the normaliser and pre-tokenizer make of the text.
    func preTokenizedWords(_ text: String) -> [String] {
        var words: [String] = []
        let bytes = Array(text.utf8)
        for case .text(let range) in rawTokenMatcher.segments(of: bytes[...]) {
            let (normalized, normalizedRange) = normalizer?.apply(bytes, range) ?? (bytes, range)
            for case .text(let range) in normalizedTokenMatcher.segments(of: normalized[normalizedRange]) {
                let (buffer, pieces) = preTokenizer.words(in: normalized, range)
                words += pieces.map { String(decoding: buffer[$0], as: UTF8.self) }
            }
        }
        return words
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return context.debugDescription + underlying + at(context.codingPath)
        case .keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\"" + at(context.codingPath)
        case .typeMismatch(let type, let context):
            return "expected \(type)" + at(context.codingPath) + ": " + context.debugDescription
        case .valueNotFound(let type, let context):
            return "missing \(type) value" + at(context.codingPath)
        @unknown default:
            return "\(error)"
        }
    }
}
