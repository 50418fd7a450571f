import Foundation
import Testing
@testable import Tokenizers

/// The tiny Qwen2 tokenizer against ids and text produced by Hugging Face `tokenizers`.
@Suite(needsTinyQwen2)
struct ReferenceParityTests {
    let tokenizer: BPETokenizer

    init() throws {
        tokenizer = try BPETokenizer(modelFolder: #require(Fixtures.tinyQwen2))
    }

    @Test func everyReferenceStringEncodesToTheReferenceIDs() throws {
        let strings = try Fixtures.referenceStrings()
        #expect(strings.count >= 10)
        for reference in strings {
            #expect(tokenizer.encode(reference.text) == reference.ids, "encoding \(reference.text.debugDescription)")
        }
    }

    @Test func everyReferenceStringDecodesToTheReferenceText() throws {
        for reference in try Fixtures.referenceStrings() {
            #expect(tokenizer.decode(reference.ids) == reference.decoded, "decoding \(reference.text.debugDescription)")
            #expect(tokenizer.decode(tokenizer.encode(reference.text)) == reference.decoded)
        }
    }

    /// Strings beyond the reference file, with ids from Hugging Face `tokenizers` 0.23.3 on the same files.
    static let trickyStrings: [(String, [Int])] = [
        ("na\u{00ef}ve caf\u{00e9}, \u{6771}\u{4eac}\u{30bf}\u{30ef}\u{30fc}, \u{d55c}\u{ad6d}\u{c5b4}, \u{041f}\u{0440}\u{0438}\u{0432}\u{0435}\u{0442} \u{043c}\u{0438}\u{0440}",
         [80, 313, 331, 386, 14, 382, 162, 227, 126, 162, 228, 110, 162, 228, 123, 14, 223, 172, 246, 253, 169, 116, 258, 171, 247, 115, 14, 223, 143, 256, 144, 225, 143, 119, 143, 113, 143, 116, 144, 227, 223, 143, 123, 143, 119, 144, 225]),
        ("emoji \u{1F642}\u{1F680}\u{1F469}\u{200d}\u{1F469}\u{200d}\u{1F467} \u{1F1EB}\u{1F1F7} \u{1F44D}\u{1F3FD}",
         [71, 321, 76, 75, 390, 284, 242, 105, 333, 238, 284, 242, 105, 333, 238, 284, 242, 103, 343, 232, 107, 284, 232, 118, 343, 242, 238, 284, 240, 124]),
        ("cafe\u{0301} and n\u{0303} (decomposed) vs caf\u{00e9} and \u{00f1}",
         [69, 312, 271, 263, 223, 130, 112, 223, 10, 316, 69, 81, 79, 82, 81, 85, 432, 11, 223, 88, 85, 386, 263, 223, 130, 112]),
        ("DON'T WE'LL THEY'RE I'M YOU'VE HE'D IT'S",
         [38, 49, 48, 9, 54, 223, 57, 39, 9, 46, 46, 223, 54, 42, 39, 59, 9, 52, 39, 223, 43, 9, 47, 223, 59, 49, 55, 9, 56, 39, 223, 42, 39, 9, 38, 223, 43, 54, 9, 53]),
        ("3.14159 1,000,000 -42 007 \u{0661}\u{0662}\u{0663} \u{216b} \u{00bd} \u{00b2}",
         [21, 16, 19, 22, 19, 23, 27, 223, 19, 14, 18, 18, 18, 14, 18, 18, 18, 223, 15, 22, 20, 223, 18, 18, 25, 223, 152, 97, 152, 98, 152, 99, 223, 161, 230, 107, 223, 129, 124, 223, 129, 113]),
        ("a  b   c    d\u{00a0}e\u{3000}f  ",
         [67, 223, 295, 268, 294, 359, 223, 70, 129, 257, 71, 162, 225, 225, 72, 268]),
        ("line one\r\nline two\r\n\r\n\n\n  indented\n",
         [78, 267, 71, 223, 81, 322, 204, 201, 78, 267, 71, 223, 86, 89, 81, 204, 201, 204, 201, 201, 201, 223, 223, 267, 316, 80, 86, 432, 201]),
        ("\tcol1\tcol2\t\tcol4\t",
         [200, 69, 81, 78, 19, 200, 69, 81, 78, 20, 200, 200, 69, 81, 78, 22, 200]),
        ("x<|im_end|>y<|im_start|><|endoftext|>z", [90, 2, 91, 1, 0, 92]),
        ("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
         [1, 85, 91, 85, 86, 71, 79, 201, 59, 81, 87, 293, 260, 261, 71, 78, 82, 72, 87, 78, 16, 2, 201, 1, 87, 85, 275, 201, 42, 75, 2, 201, 1, 67, 85, 85, 318, 86, 259, 86, 201]),
        ("<|im_start <|im_end|<|im_end|>>",
         [30, 94, 75, 79, 65, 85, 86, 413, 86, 223, 30, 94, 75, 79, 65, 71, 80, 70, 94, 2, 32]),
        ("'s 'S '\u{017f} ''s x's", [300, 223, 9, 53, 223, 9, 132, 126, 223, 9, 9, 85, 287, 300]),
    ]

    @Test(arguments: trickyStrings)
    func trickyTextEncodesLikeHuggingFace(text: String, ids: [Int]) {
        #expect(tokenizer.encode(text) == ids)
    }

    /// Decoding gives back the text, in NFC (the normaliser composes "e" + U+0301 into "é").
    @Test(arguments: trickyStrings.map(\.0) + ["", " ", "\r\n", "\u{1F469}\u{200d}\u{1F4BB}", "a\u{0301}\u{0323}b\u{0308}", "\u{1100}\u{1161}\u{11a8}"])
    func trickyTextRoundTrips(text: String) {
        let decoded = tokenizer.decode(tokenizer.encode(text))
        #expect(Array(decoded.unicodeScalars) == Array(text.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test func specialTokensComeFromTheConfigurationFiles() {
        // tokenizer_config.json names <|im_end|> (id 2) and generation_config.json says 2 as well.
        #expect(tokenizer.eosTokenIDs == [2])
        #expect(tokenizer.padTokenID == 0)  // <|endoftext|>
        #expect(tokenizer.bosTokenID == nil)  // "bos_token": null
        #expect(tokenizer.vocabularySize == 442)
        #expect(tokenizer.id(of: "<|im_start|>") == 1)
        #expect(tokenizer.token(of: 2) == "<|im_end|>")
        #expect(tokenizer.id(of: "Ġ") == 223)
        #expect(tokenizer.token(of: 223) == "Ġ")
        #expect(tokenizer.token(of: 442) == nil)
        #expect(tokenizer.token(of: -1) == nil)
        #expect(tokenizer.id(of: "no such token") == nil)
    }

    @Test func decodingSkipsSpecialTokensOnlyWhenAsked() {
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "user\nHi\n")
    }

    @Test func decodingDropsUnknownIDsAndRepairsBrokenUTF8() {
        #expect(tokenizer.decode([67, 99_999, -5, 68]) == "ab")
        // 143 is the stand-in for byte 0xD0, the first half of a Cyrillic letter: like Hugging Face,
        // an incomplete sequence decodes to U+FFFD.
        #expect(tokenizer.decode([143]) == "\u{FFFD}")
        #expect(tokenizer.decode([143, 256]) == "П")
    }

    @Test func encodingIsSafeFromManyThreadsAtOnce() async {
        let texts = (0 ..< 64).map { "thread \($0): Janet's ducks lay \($0 * 7) eggs 🙂 東京\n" }
        let shared = tokenizer
        let expected = texts.map { shared.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, shared.encode(text)) }
            }
            var results = [[Int]](repeating: [], count: texts.count)
            for await (index, ids) in group { results[index] = ids }
            return results
        }
        #expect(results == expected)
    }
}
