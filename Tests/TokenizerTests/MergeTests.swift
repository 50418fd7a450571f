import Foundation
import SeededRandom
import Testing
@testable import Tokenizers

/// BPE merging, in the three file styles, with merges written either way.
struct MergeTests {
    /// Ids from Hugging Face `tokenizers` for the synthetic files (`SyntheticTokenizer`).
    static let shared: [(String, [Int])] = [
        ("Hello world", [276, 272]),
        ("DON'T it's IT'S you'll", [285, 39, 84, 32, 105, 116, 282, 32, 73, 84, 39, 83, 293, 39, 290]),
        ("Hello\n\n\nworld  \t x  ", [276, 279, 10, 119, 111, 114, 108, 100, 280, 9, 32, 120, 280]),
        ("\u{6771}\u{4eac} the \u{6771}\u{4eac}", [287, 289, 258, 32, 287, 289]),
        ("<|im_start|>user\nthe<|im_end|>\n", [296, 117, 115, 261, 10, 116, 257, 297, 10]),
        ("a\r\nb\r\n\r\n  c", [97, 13, 10, 98, 13, 10, 13, 10, 32, 32, 99]),
    ]

    static let expected: [(SyntheticTokenizer.Style, [(String, [Int])])] = [
        (.gpt2, shared + [
            (" the and you 123 1234567", [258, 265, 293, 32, 278, 32, 278, 52, 53, 54, 55]),
            ("HelloHello xyz", [276, 276, 32, 120, 121, 122]),
            (" xyz", [32, 120, 121, 122]),
            ("cafe\u{0301} ca\u{00e9}", [99, 97, 102, 101, 204, 129, 32, 99, 97, 195, 169]),
        ]),
        (.llama3, shared + [
            (" the and you 123 1234567", [258, 265, 293, 32, 278, 32, 278, 52, 53, 54, 55]),
            // ignore_merges: "Ġxyz" is in the vocabulary, so the word is one token though no merge makes it.
            ("HelloHello xyz", [276, 276, 294]),
            (" xyz", [294]),
            ("cafe\u{0301} ca\u{00e9}", [99, 97, 102, 101, 204, 129, 32, 99, 97, 195, 169]),
        ]),
        (.qwen2, shared + [
            (" the and you 123 1234567", [258, 265, 293, 32, 49, 50, 51, 32, 49, 50, 51, 52, 53, 54, 55]),
            ("HelloHello xyz", [276, 276, 32, 120, 121, 122]),
            (" xyz", [32, 120, 121, 122]),
            // NFC: the decomposed é becomes the composed one before BPE.
            ("cafe\u{0301} ca\u{00e9}", [99, 97, 102, 195, 169, 32, 99, 97, 195, 169]),
        ]),
    ]

    @Test(arguments: expected)
    func pairAndStringMergesBothEncodeLikeHuggingFace(style: SyntheticTokenizer.Style, cases: [(String, [Int])]) throws {
        let pairs = try SyntheticTokenizer.tokenizer(style, mergesAsPairs: true)
        let strings = try SyntheticTokenizer.tokenizer(style, mergesAsPairs: false)
        for (text, ids) in cases {
            #expect(pairs.encode(text) == ids, "\(style) pairs: \(text.debugDescription)")
            #expect(strings.encode(text) == ids, "\(style) strings: \(text.debugDescription)")
            #expect(pairs.decode(ids) == (style == .qwen2 ? text.precomposedStringWithCanonicalMapping : text))
        }
    }

    /// The plain scan (short words) and the priority queue (long words) merge identically.
    @Test func scanAndQueueMergeIdentically() {
        var generator = SplitMix64(seed: 7)
        for trial in 0 ..< 200 {
            // Random merges over a 6-symbol alphabet; results get fresh ids.
            var table: [UInt64: BPEMerger.Merge] = [:]
            var nextID: Int32 = 6
            for rank in 0 ..< 40 {
                let left = Int32(generator.next() % UInt64(nextID)), right = Int32(generator.next() % UInt64(nextID))
                let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
                if table[key] == nil {
                    table[key] = .init(rank: Int32(rank), result: nextID)
                    nextID += 1
                }
            }
            let merger = BPEMerger(merges: table)
            let word = (0 ..< Int(generator.next() % 120) + 1).map { _ in Int32(generator.next() % 6) }
            var scanned = word, queued = word
            merger.applyByScanning(&scanned)
            merger.applyWithQueue(&queued)
            #expect(scanned == queued, "trial \(trial)")
        }
    }

    @Test func lowestRankMergesFirstAndLeftmostOnTies() {
        // a=0 b=1; (a,b)->ab=2 rank 0; (b,a)->ba=3 rank 1; (ab,a)->aba=4 rank 2.
        let merger = BPEMerger(merges: [
            0 << 32 | 1: .init(rank: 0, result: 2),
            1 << 32 | 0: .init(rank: 1, result: 3),
            2 << 32 | 0: .init(rank: 2, result: 4),
        ])
        var word: [Int32] = [1, 0, 1, 0]  // b a b a -> b ab a -> b aba
        merger.apply(to: &word)
        #expect(word == [1, 4])
        var repeated: [Int32] = [0, 1, 0, 1]  // a b a b -> ab ab (both rank 0, left first)
        merger.apply(to: &repeated)
        #expect(repeated == [2, 2])
    }

    @Test func mergesNamingTokensOutsideTheVocabularyAreRejected() throws {
        var object = SyntheticTokenizer.object(.qwen2)
        var model = object["model"] as! [String: Any]
        model["merges"] = [["Ġ", "t"], ["q", "zzz"]]
        object["model"] = model
        #expect(throws: TokenizerError.invalidFile(path: "tokenizer.json", reason: "merge #1 uses \"zzz\", which is not in model.vocab")) {
            try BPETokenizer(tokenizerJSON: SyntheticTokenizer.data(object))
        }
    }

    @Test func aMergeStringWithoutExactlyTwoTokensIsRejected() throws {
        var object = SyntheticTokenizer.object(.qwen2, mergesAsPairs: false)
        var model = object["model"] as! [String: Any]
        model["merges"] = ["Ġ t", "h e x"]
        object["model"] = model
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: SyntheticTokenizer.data(object)) }
        #expect(error?.description.contains("h e x") == true)
        #expect(error?.description.contains("model.merges.1") == true)
    }

    @Test func wordsLongerThanTheCacheLimitStillEncode() throws {
        let tokenizer = try SyntheticTokenizer.tokenizer(.gpt2)
        let long = String(repeating: "Hello", count: 200)  // one 1000-byte word: not cached, merged by the queue
        #expect(tokenizer.encode(long) == [Int](repeating: 276, count: 200))
        #expect(tokenizer.encode(long) == [Int](repeating: 276, count: 200))
    }
}

/// Added tokens: longest match first, and the `lstrip`, `rstrip`, `single_word` and `normalized`
/// options, with ids from Hugging Face `tokenizers` on the same file.
struct AddedTokenTests {
    static var extraTokens: [[String: Any]] { [
        token(298, "<think>", special: false),
        token(299, "</think>", special: false, lstrip: true, rstrip: true),
        token(300, "café", special: false, normalized: true),
        token(301, "<mask>", special: true, singleWord: true),
        token(302, "<|im_start|>x", special: true),
    ] }

    static func token(_ id: Int, _ content: String, special: Bool, lstrip: Bool = false, rstrip: Bool = false,
                      normalized: Bool = false, singleWord: Bool = false) -> [String: Any] {
        ["id": id, "content": content, "special": special, "lstrip": lstrip, "rstrip": rstrip,
         "normalized": normalized, "single_word": singleWord]
    }

    static let cases: [(String, [Int])] = [
        ("<think>the</think>  and", [298, 116, 257, 299, 262, 100]),
        ("a  </think>  b", [97, 299, 98]),
        // "café" matches the normalised text, so the decomposed spelling matches too.
        ("cafe\u{0301} and caf\u{00e9}", [300, 265, 32, 300]),
        // <mask> only where it is not part of a word.
        ("<mask> a<mask> <mask>b <mask>", [301, 260, 60, 109, 97, 115, 107, 62, 32, 60, 109, 97, 115, 107, 62, 98, 32, 301]),
        // The longest token at a position wins.
        ("<|im_start|>xy <|im_start|>y", [302, 121, 32, 296, 121]),
        ("the<think>and", [116, 257, 298, 262, 100]),
        ("<|im_end|><|im_end|>", [297, 297]),
    ]

    @Test(arguments: cases)
    func addedTokensMatchLikeHuggingFace(text: String, ids: [Int]) throws {
        let tokenizer = try SyntheticTokenizer.tokenizer(.qwen2, extraAddedTokens: Self.extraTokens)
        #expect(tokenizer.encode(text) == ids)
    }

    @Test func onlySpecialAddedTokensAreSkippedWhenDecoding() throws {
        let tokenizer = try SyntheticTokenizer.tokenizer(.qwen2, extraAddedTokens: Self.extraTokens)
        #expect(tokenizer.decode(tokenizer.encode("<think>x</think><|im_end|>"), skipSpecialTokens: true) == "<think>x</think>")
        #expect(tokenizer.addedTokens.count == 8)
        #expect(tokenizer.vocabularySize == 303)
    }
}
