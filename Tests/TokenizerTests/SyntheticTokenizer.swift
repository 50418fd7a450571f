import Foundation
@testable import Tokenizers

/// Small `tokenizer.json` files written by the tests, in the three styles rlrun must read: the 256
/// byte stand-ins (id = byte value), the merge results in merge order, "Ġxyz" (in the vocabulary
/// but unreachable by merges, for `ignore_merges`), then three special tokens. Expected ids in the
/// tests were produced by Hugging Face `tokenizers` 0.23 from identical files.
enum SyntheticTokenizer {
    enum Style { case gpt2, llama3, qwen2 }

    static let merges = [
        "Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "a n", "Ġ s", "Ġa n", "Ġan d", "o n", "r e", "Ġ w", "Ġw o",
        "Ġwo r", "Ġwor l", "Ġworl d", "H e", "He l", "Hel l", "Hell o", "1 2", "12 3", "Ċ Ċ", "Ġ Ġ", "ĠĠ ĠĠ",
        "' s", "' t", "D O", "DO N", "æ Ŀ", "æĿ ±", "ä º", "äº ¬", "l l", "o u", "Ġ y", "Ġy ou",
    ]

    static func vocabulary() -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        for byte in 0 ..< 256 { vocabulary[String(ByteLevelAlphabet.scalarForByte[byte])] = byte }
        for merge in merges {
            let joined = merge.replacingOccurrences(of: " ", with: "")
            if vocabulary[joined] == nil { vocabulary[joined] = vocabulary.count }
        }
        vocabulary["Ġxyz"] = vocabulary.count
        return vocabulary
    }

    static let specialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

    /// The file as a JSON object, for tests to alter before serialising.
    static func object(_ style: Style, mergesAsPairs: Bool = true, extraAddedTokens: [[String: Any]] = []) -> [String: Any] {
        let vocabulary = vocabulary()
        var added: [[String: Any]] = specialTokens.enumerated().map { index, content in
            ["id": vocabulary.count + index, "content": content, "single_word": false, "lstrip": false,
             "rstrip": false, "normalized": false, "special": true]
        }
        added += extraAddedTokens
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false]
        var preTokenizer: [String: Any]
        var normalizer: Any = NSNull()
        switch style {
        case .gpt2:
            preTokenizer = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        case .llama3:
            preTokenizer = ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": KnownSplitPattern.llama3Regex], "behavior": "Isolated", "invert": false],
                byteLevel,
            ]]
        case .qwen2:
            normalizer = ["type": "NFC"]
            preTokenizer = ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": KnownSplitPattern.qwen2Regex], "behavior": "Isolated", "invert": false],
                byteLevel,
            ]]
        }
        let mergeList: [Any] = mergesAsPairs ? merges.map { $0.split(separator: " ").map(String.init) } : merges
        return [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": normalizer, "pre_tokenizer": preTokenizer, "post_processor": NSNull(),
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": [
                "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false,
                "ignore_merges": style == .llama3, "vocab": vocabulary, "merges": mergeList,
            ] as [String: Any],
        ]
    }

    static func data(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    static func tokenizer(_ style: Style, mergesAsPairs: Bool = true, extraAddedTokens: [[String: Any]] = []) throws -> BPETokenizer {
        try BPETokenizer(tokenizerJSON: data(object(style, mergesAsPairs: mergesAsPairs, extraAddedTokens: extraAddedTokens)))
    }

    /// A model folder holding `files` (name → contents), removed by the caller.
    static func folder(_ files: [String: Data]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlrun-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: folder.appendingPathComponent(name))
        }
        return folder
    }
}
