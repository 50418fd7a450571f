import Foundation
import Tokenizers

/// What the tokenizer.json fuzzer does with one input, shared with the regression tests. The
/// input is `tokenizer.json`, optionally followed by a NUL byte and `tokenizer_config.json`, and
/// another NUL byte and `generation_config.json` (JSON cannot contain a raw NUL, so the split
/// is unambiguous). A file that loads is then used: encoding and decoding fixed texts, and
/// looking up its first ids, so that a loader that accepts an inconsistent file is caught by
/// the first use that trips over it.
public enum TokenizerJSONFuzzEntry {
    /// Throws `TokenizerError` for a file the loader refuses, the expected outcome for most inputs.
    public static func run(_ bytes: [UInt8]) throws {
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { Data($0) }
        let tokenizer = try BPETokenizer(
            tokenizerJSON: parts[0], tokenizerConfig: parts.count > 1 ? parts[1] : nil,
            generationConfig: parts.count > 2 ? parts[2] : nil)
        for text in sampleTexts {
            let ids = tokenizer.encode(text)
            precondition(ids.allSatisfy { 0 <= $0 && $0 < tokenizer.vocabularySize }, "encode gave an id outside the vocabulary")
            _ = tokenizer.decode(ids)
            _ = tokenizer.decode(ids, skipSpecialTokens: true)
        }
        for id in 0 ..< min(tokenizer.vocabularySize, 300) {
            if let token = tokenizer.token(of: id) { _ = tokenizer.id(of: token) }
        }
        _ = tokenizer.decode([-1, tokenizer.vocabularySize, Int.max, Int.min] + Array(0 ..< min(tokenizer.vocabularySize, 64)))
        _ = (tokenizer.eosTokenIDs, tokenizer.padTokenID, tokenizer.bosTokenID, tokenizer.addedTokens.count)
    }

    /// Short texts covering what tokenizers treat specially: spaces and newlines, digits, case,
    /// contractions, non-Latin scripts, combining marks, emoji, and chat markers.
    static let sampleTexts = [
        "", " ", "Hello world", "  leading and trailing  ", "line one\nline two\r\n\n\tTabbed",
        "It's 1,234.56 dollars, isn't it? DON'T", "東京は日本の首都です。", "e\u{301}t\u{E9} Ǆ ﬁ ①②",
        "🙂👍🏽 family: 👨‍👩‍👧", "<|im_start|>user\nHi<|im_end|>\n<|endoftext|>", "<think>\n2+2=4\n</think>",
        String(repeating: "a", count: 70) + " " + String(repeating: "ab ", count: 20),
    ]
}
