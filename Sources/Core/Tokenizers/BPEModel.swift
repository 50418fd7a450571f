/// The `model` of a BPE `tokenizer.json`: vocabulary, ranked merges and the options that decide
/// what happens to a character missing from the vocabulary. Turns one pre-tokenised word into ids.
final class BPEModel: Sendable {
    struct Options: Sendable, Equatable {
        var unknownToken: String?
        var fuseUnknown = false
        /// SentencePiece-style `<0x41>` tokens for characters missing from the vocabulary.
        var byteFallback = false
        /// Llama 3: a word that is itself in the vocabulary is emitted as is, without merging.
        var ignoreMerges = false
        var continuingSubwordPrefix: String?
        var endOfWordSuffix: String?
    }

    let vocabulary: [String: Int]
    let merger: BPEMerger
    let options: Options
    /// The vocabulary id of each byte's stand-in character (-1 when absent), for byte-level words.
    private let byteIDs: [Int32]
    private let unknownID: Int32?
    private let cache = WordCache()

    /// Ids rlrun accepts: the largest real vocabularies have a few hundred thousand tokens, and an
    /// absurd id would otherwise make the id-to-token table absurdly large.
    static let validIDs = 0 ..< 1 << 24

    /// - Parameter merges: pairs in rank order. A pair whose parts or concatenation are missing
    ///   from the vocabulary is an error, as in Hugging Face; a repeated pair takes its last rank.
    init(vocabulary: [String: Int], merges: [(String, String)], options: Options) throws(BPEModelError) {
        if let (token, id) = vocabulary.first(where: { !Self.validIDs.contains($0.value) }) {
            throw .idOutOfRange(token, id)
        }
        self.vocabulary = vocabulary
        self.options = options
        var table: [UInt64: BPEMerger.Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftID = vocabulary[left] else { throw .mergeTokenNotInVocabulary(left, rank: rank) }
            guard let rightID = vocabulary[right] else { throw .mergeTokenNotInVocabulary(right, rank: rank) }
            // With a continuing-subword prefix ("##"), "a" + "##b" makes "ab".
            var joinedRight = Substring(right)
            if let prefix = options.continuingSubwordPrefix, right.hasPrefix(prefix) {
                joinedRight = right.dropFirst(prefix.count)
            }
            let joined = left + joinedRight
            guard let resultID = vocabulary[joined] else { throw .mergeTokenNotInVocabulary(joined, rank: rank) }
            let key = UInt64(UInt32(leftID)) << 32 | UInt64(UInt32(rightID))
            table[key] = .init(rank: Int32(rank), result: Int32(resultID))
        }
        merger = BPEMerger(merges: table)
        byteIDs = ByteLevelAlphabet.scalarForByte.map { scalar in
            vocabulary[String(scalar)].map { Int32($0) } ?? -1
        }
        if let unknown = options.unknownToken {
            guard let id = vocabulary[unknown] else { throw .unknownTokenNotInVocabulary(unknown) }
            unknownID = Int32(id)
        } else {
            unknownID = nil
        }
    }

    /// Appends the ids of the word `buffer[range]`. `byteLevel` says the word is raw bytes to be
    /// read through the byte stand-in table; otherwise each Unicode scalar is a starting symbol.
    func encode(_ buffer: [UInt8], _ range: Range<Int>, byteLevel: Bool, into output: inout [Int]) {
        guard !range.isEmpty else { return }
        let hit = buffer.withUnsafeBufferPointer { all -> (Bool, UInt64) in
            let word = UnsafeBufferPointer(rebasing: all[range])
            let hash = WordCache.hash(word)
            return (cache.appendValue(for: word, hash: hash, to: &output), hash)
        }
        if hit.0 { return }
        let word = buffer[range]
        var symbols: [Int32]
        if options.ignoreMerges, let id = vocabulary[spelling(of: word, byteLevel: byteLevel)] {
            symbols = [Int32(id)]
        } else {
            symbols = initialSymbols(of: word, byteLevel: byteLevel)
            merger.apply(to: &symbols)
        }
        buffer.withUnsafeBufferPointer { all in
            cache.store(symbols, for: UnsafeBufferPointer(rebasing: all[range]), hash: hit.1)
        }
        for id in symbols { output.append(Int(id)) }
    }

    private func spelling(of word: ArraySlice<UInt8>, byteLevel: Bool) -> String {
        byteLevel ? ByteLevelAlphabet.spelling(of: word) : String(decoding: word, as: UTF8.self)
    }

    /// One symbol per character (per byte for byte-level words), resolved as Hugging Face's
    /// `merge_word` does: prefix/suffix decoration, then byte fallback, then the unknown token
    /// (fused if asked), and otherwise the character is dropped.
    private func initialSymbols(of word: ArraySlice<UInt8>, byteLevel: Bool) -> [Int32] {
        let plain = options.continuingSubwordPrefix == nil && options.endOfWordSuffix == nil
        if byteLevel, plain, !word.contains(where: { byteIDs[Int($0)] < 0 }) {
            return word.map { byteIDs[Int($0)] }
        }
        let characters: [String] = byteLevel
            ? word.map { String(ByteLevelAlphabet.scalarForByte[Int($0)]) }
            : String(decoding: word, as: UTF8.self).unicodeScalars.map { String($0) }
        var symbols: [Int32] = []
        var pendingUnknown = false
        for (index, character) in characters.enumerated() {
            var spelled = character
            if index > 0, let prefix = options.continuingSubwordPrefix { spelled = prefix + spelled }
            if index == characters.count - 1, let suffix = options.endOfWordSuffix { spelled += suffix }
            if let id = vocabulary[spelled] {
                if pendingUnknown, let unknownID { symbols.append(unknownID) }
                pendingUnknown = false
                symbols.append(Int32(id))
                continue
            }
            if options.byteFallback {
                // Like Hugging Face, a pending unknown token is not flushed before byte tokens.
                let fallback = spelled.utf8.map { vocabulary[Self.byteToken($0)] }
                if !fallback.contains(where: { $0 == nil }) {
                    symbols.append(contentsOf: fallback.map { Int32($0!) })
                    continue
                }
            }
            guard let unknownID else { continue }
            if pendingUnknown, !options.fuseUnknown { symbols.append(unknownID) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknownID { symbols.append(unknownID) }
        return symbols
    }

    /// SentencePiece's spelling of a byte token, `<0x0A>`.
    static func byteToken(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }
}

/// Problems with the vocabulary and merges of a BPE model; the loader adds the file name.
enum BPEModelError: Error, Equatable {
    case mergeTokenNotInVocabulary(String, rank: Int)
    case unknownTokenNotInVocabulary(String)
    case idOutOfRange(String, Int)

    var reason: String {
        switch self {
        case .mergeTokenNotInVocabulary(let token, let rank):
            "merge #\(rank) uses \"\(token)\", which is not in model.vocab"
        case .unknownTokenNotInVocabulary(let token):
            "model.unk_token \"\(token)\" is not in model.vocab"
        case .idOutOfRange(let token, let id):
            "\"\(token)\" has id \(id), outside \(BPEModel.validIDs)"
        }
    }
}
