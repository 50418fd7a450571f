import Foundation

/// A character-level tokenizer for rlrun's built-in toy model, which trains in seconds with no
/// download: one token per character of a fixed alphabet (printable ASCII and newline by default),
/// after four special tokens. It is `Codable` so that a saved toy model carries its tokenizer and
/// decodes the same ids the same way when loaded elsewhere.
///
/// Characters are Unicode scalars, not Swift `Character`s, so that "\r\n" is two characters (the
/// `\r` unknown) rather than one grapheme missing from the alphabet.
public struct CharacterTokenizer: Tokenizer, Equatable, Codable {
    public static let padToken = "<pad>"
    public static let bosToken = "<bos>"
    public static let eosToken = "<eos>"
    public static let unknownToken = "<unk>"
    /// The specials, in id order: pad 0, bos 1, eos 2, unknown 3.
    public static let specialTokens = [padToken, bosToken, eosToken, unknownToken]

    /// Printable ASCII (space to tilde) and newline.
    public static let defaultAlphabet: String = "\n" + String(String.UnicodeScalarView((0x20 ... 0x7E).map { Unicode.Scalar(UInt8($0)) }))

    /// The characters with ids, in id order after the specials.
    public let alphabet: String
    private let idsByScalar: [Unicode.Scalar: Int]
    private let scalars: [Unicode.Scalar]

    public var padTokenID: Int? { 0 }
    public var bosTokenID: Int? { 1 }
    public var eosTokenIDs: Set<Int> { [2] }
    public var unknownTokenID: Int { 3 }
    public var vocabularySize: Int { Self.specialTokens.count + scalars.count }

    /// - Throws: `TokenizerError.invalidFile` when the alphabet repeats a character.
    public init(alphabet: String = CharacterTokenizer.defaultAlphabet) throws {
        var ids: [Unicode.Scalar: Int] = [:]
        let scalars = Array(alphabet.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            guard ids[scalar] == nil else {
                throw TokenizerError.invalidFile(
                    path: "character tokenizer", reason: "alphabet repeats U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
            ids[scalar] = Self.specialTokens.count + index
        }
        self.alphabet = alphabet
        self.scalars = scalars
        idsByScalar = ids
    }

    /// The default tokenizer (its alphabet has no repeats, so this cannot fail).
    public static let standard = try! CharacterTokenizer()

    // MARK: - Tokenizer

    /// One id per scalar; special token names written in the text (`<eos>`) are matched literally,
    /// like added tokens in Hugging Face tokenizers; characters outside the alphabet are `<unk>`.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        let scalars = Array(text.unicodeScalars)
        ids.reserveCapacity(scalars.count)
        var i = 0
        outer: while i < scalars.count {
            if scalars[i] == "<" {
                for (id, name) in Self.specialTokens.enumerated() {
                    let nameScalars = Array(name.unicodeScalars)
                    if i + nameScalars.count <= scalars.count, Array(scalars[i ..< i + nameScalars.count]) == nameScalars {
                        ids.append(id)
                        i += nameScalars.count
                        continue outer
                    }
                }
            }
            ids.append(idsByScalar[scalars[i]] ?? unknownTokenID)
            i += 1
        }
        return ids
    }

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var text = String.UnicodeScalarView()
        for id in ids {
            if id >= 0, id < Self.specialTokens.count {
                if !skipSpecialTokens { text.append(contentsOf: Self.specialTokens[id].unicodeScalars) }
            } else if id >= Self.specialTokens.count, id < vocabularySize {
                text.append(scalars[id - Self.specialTokens.count])
            }
        }
        return String(text)
    }

    public func id(of token: String) -> Int? {
        if let special = Self.specialTokens.firstIndex(of: token) { return special }
        let tokenScalars = token.unicodeScalars
        guard tokenScalars.count == 1, let scalar = tokenScalars.first else { return nil }
        return idsByScalar[scalar]
    }

    public func token(of id: Int) -> String? {
        if id >= 0, id < Self.specialTokens.count { return Self.specialTokens[id] }
        guard id >= Self.specialTokens.count, id < vocabularySize else { return nil }
        return String(scalars[id - Self.specialTokens.count])
    }

    // MARK: - Serialisation

    private enum CodingKeys: String, CodingKey {
        case type, alphabet, specialTokens = "special_tokens"
    }

    /// Written into saved toy models; `type` and `special_tokens` let a reader check it is looking
    /// at the layout it expects.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("character", forKey: .type)
        try container.encode(alphabet, forKey: .alphabet)
        try container.encode(Self.specialTokens, forKey: .specialTokens)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        guard type == "character" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "not a character tokenizer: \(type)")
        }
        let specials = try container.decode([String].self, forKey: .specialTokens)
        guard specials == Self.specialTokens else {
            throw DecodingError.dataCorruptedError(
                forKey: .specialTokens, in: container, debugDescription: "special tokens \(specials), expected \(Self.specialTokens)")
        }
        do {
            try self.init(alphabet: try container.decode(String.self, forKey: .alphabet))
        } catch let error as TokenizerError {
            throw DecodingError.dataCorruptedError(forKey: .alphabet, in: container, debugDescription: error.description)
        }
    }

    /// The JSON a saved toy model stores (sorted keys, so saving twice gives the same bytes).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads what `jsonData()` wrote.
    /// - Throws: `TokenizerError.invalidFile` when the JSON is not a character tokenizer.
    public init(jsonData: Data) throws {
        do {
            self = try JSONDecoder().decode(CharacterTokenizer.self, from: jsonData)
        } catch {
            throw TokenizerError.invalidFile(path: "character tokenizer JSON", reason: "\(error)")
        }
    }

    /// Same alphabet, scalar for scalar (String `==` would equate "é" with "e" + U+0301).
    public static func == (lhs: CharacterTokenizer, rhs: CharacterTokenizer) -> Bool {
        lhs.scalars == rhs.scalars
    }
}
