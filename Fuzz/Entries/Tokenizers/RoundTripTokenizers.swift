import Foundation
import Tokenizers

/// Small fixed byte-level tokenizers for the round-trip fuzzer, one per way rlrun splits words:
/// GPT-2's ByteLevel regex, the Qwen2 and Llama 3 Split regexes (hand-written scanners), and a
/// regex no scanner knows (NSRegularExpression) followed by single digits. None normalises,
/// adds a prefix space or strips around added tokens, so each must give back any text exactly.
enum RoundTripTokenizers {
    static let all: [(style: String, tokenizer: BPETokenizer)] = [
        ("gpt2", make(["type": "ByteLevel", "add_prefix_space": false, "use_regex": true])),
        ("qwen2", make(sequence(split(#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#)))),
        ("llama3", make(sequence(split(#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#)),
                         ignoreMerges: true)),
        ("general-regex", make(sequence(split(#"\s?\w+|\s?[^\s\w]+|\s+"#), ["type": "Digits", "individual_digits": true]))),
    ]

    /// Merges of common English pieces, digits, runs of spaces and newlines, and two CJK words,
    /// so that words merge at several depths, in both the scan and the queue merger.
    static let merges = [
        "Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "a n", "Ġ s", "Ġa n", "Ġan d", "o n", "r e", "Ġ w", "Ġw o",
        "Ġwo r", "Ġwor l", "Ġworl d", "H e", "He l", "Hel l", "Hell o", "1 2", "12 3", "Ċ Ċ", "Ġ Ġ", "ĠĠ ĠĠ",
        "' s", "' t", "a a", "aa aa", "aaaa aaaa", "æ Ŀ", "æĿ ±", "ä º", "äº ¬", "l l", "o u", "Ġ y", "Ġy ou",
    ]

    private static var addedTokens: [[String: Any]] {
        [
            ["id": 1000, "content": "<|endoftext|>", "special": true, "normalized": false],
            ["id": 1001, "content": "<|im_start|>", "special": true, "normalized": false],
            ["id": 1002, "content": "<|im_end|>", "special": true, "normalized": false],
            ["id": 1003, "content": "<think>", "special": false],
        ]
    }

    private static func split(_ regex: String) -> [String: Any] {
        ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false]
    }

    private static func sequence(_ steps: [String: Any]...) -> [String: Any] {
        ["type": "Sequence", "pretokenizers": steps + [["type": "ByteLevel", "add_prefix_space": false, "use_regex": false]]]
    }

    private static func make(_ preTokenizer: [String: Any], ignoreMerges: Bool = false) -> BPETokenizer {
        var vocabulary: [String: Int] = [:]
        for byte in 0 ..< 256 { vocabulary[standIn(UInt8(byte))] = byte }
        for merge in merges {
            let joined = merge.replacingOccurrences(of: " ", with: "")
            if vocabulary[joined] == nil { vocabulary[joined] = vocabulary.count }
        }
        let file: [String: Any] = [
            "added_tokens": addedTokens, "normalizer": NSNull(), "pre_tokenizer": preTokenizer,
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocabulary, "merges": merges, "ignore_merges": ignoreMerges] as [String: Any],
        ]
        // A fixed, valid file: failing to load it is a broken build, not a finding.
        return try! BPETokenizer(tokenizerJSON: JSONSerialization.data(withJSONObject: file))
    }

    /// GPT-2's printable stand-in for a byte (the table of `ByteLevelAlphabet`, restated because
    /// it is internal to the Tokenizers module).
    private static func standIn(_ byte: UInt8) -> String {
        let printable = (0x21 ... 0x7E).contains(byte) || (0xA1 ... 0xAC).contains(byte) || (0xAE ... 0xFF).contains(byte)
        if printable { return String(Unicode.Scalar(byte)) }
        let index = (0 ..< Int(byte)).filter { b in
            !((0x21 ... 0x7E).contains(b) || (0xA1 ... 0xAC).contains(b) || (0xAE ... 0xFF).contains(b))
        }.count
        return String(Unicode.Scalar(UInt32(256 + index))!)
    }
}
